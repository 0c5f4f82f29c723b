import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

import { encodeModel } from '../../src/onnx/onnx.codec';
import {
  buildResNet50,
  RESNET50_INPUT,
  RESNET50_LAST_LAYER,
  RESNET50_OUTPUT,
} from './resnet50.builder';

export const REPOSITORY_ROOT = path.resolve(__dirname, '../..');
export const BENCH_OUT = path.join(REPOSITORY_ROOT, 'bench', 'out');
export const BENCH_MODELS = path.join(BENCH_OUT, 'models');
export const BUNDLED_MODEL = 'fashion-mnist';
export const RESNET50_MODEL = 'resnet50';

const resnetSpec = {
  name: RESNET50_MODEL,
  description:
    'ResNet-50-shaped network (torchvision layout, BatchNormalization kept), random weights, built by the benchmark.',
  input: {
    name: RESNET50_INPUT,
    layout: 'NCHW',
    height: 224,
    width: 224,
    channels: 3,
    channelOrder: 'RGB',
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    resize: 'stretch',
  },
  output: RESNET50_OUTPUT,
  outputKind: 'logits',
  labels: 'labels.txt',
  defaultLayer: RESNET50_LAST_LAYER,
};

/**
 * A model repository for the benchmark under bench/out/models: the bundled
 * model (linked) and the ResNet-50-shaped network, written once (~100 MB,
 * never committed) and reused by later runs.
 */
export async function prepareBenchModels(log: (line: string) => void): Promise<string> {
  await fs.mkdir(BENCH_MODELS, { recursive: true });

  // Copied, not linked: the repository lists real folders only; the copy is small and kept current.
  const bundled = path.join(BENCH_MODELS, BUNDLED_MODEL);
  await fs.rm(bundled, { recursive: true, force: true });
  await fs.cp(path.join(REPOSITORY_ROOT, 'models', BUNDLED_MODEL), bundled, { recursive: true });

  const folder = path.join(BENCH_MODELS, RESNET50_MODEL);
  const file = path.join(folder, 'model.onnx');
  if (!existsSync(file)) {
    const started = performance.now();
    await fs.mkdir(folder, { recursive: true });
    const bytes = encodeModel(buildResNet50());
    await fs.writeFile(`${file}.partial`, bytes);
    await fs.rename(`${file}.partial`, file);
    log(
      `built ${path.relative(REPOSITORY_ROOT, file)} (${(bytes.length / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  await fs.writeFile(path.join(folder, 'model.json'), `${JSON.stringify(resnetSpec, null, 2)}\n`);
  await fs.writeFile(
    path.join(folder, 'labels.txt'),
    `${Array.from({ length: 1000 }, (_, i) => `class_${i}`).join('\n')}\n`,
  );
  return BENCH_MODELS;
}
