/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { readModelFile } from '../../../src/onnx/model-file.reader';
import { runDifferentiated } from '../../support/augmented-run';
import { readNpy } from '../../support/npy.reader';

interface NetworkReference {
  readonly name: string;
  readonly input: { readonly name: string; readonly shape: number[]; readonly file: string };
  readonly output?: string;
  readonly targetClass: number;
  readonly scoreValue: string;
  readonly scores: string;
  readonly layers: readonly {
    value: string;
    shape: number[];
    activation: string;
    gradient: string;
  }[];
  readonly inputGradient?: string;
}

const NETS = path.resolve(__dirname, '../../fixtures/nets');
const networks = fs.existsSync(NETS)
  ? fs.readdirSync(NETS).filter((name) => fs.existsSync(path.join(NETS, name, 'reference.json')))
  : [];

/** max |ours - reference| over max |reference| (1 when the reference is all zeros). */
function relativeError(ours: Float32Array | undefined, reference: Float32Array): number {
  if (ours?.length !== reference.length) {
    return Infinity;
  }
  let scale = 0;
  let error = 0;
  reference.forEach((r, i) => {
    scale = Math.max(scale, Math.abs(r));
    error = Math.max(error, Math.abs((ours[i] ?? NaN) - r));
  });
  return error / (scale === 0 ? 1 : scale);
}

describe('differentiate on whole networks (PyTorch autograd references)', () => {
  it('has a fixture for every CNN family the gradient engine is proven on', () => {
    expect([...networks].sort()).toEqual([
      'convnext',
      'densenet',
      'efficientnet',
      'inception',
      'mobilenetv2',
      'mobilenetv3',
      'resnet-basic',
      'resnet-bottleneck',
      'shufflenet',
      'softmax-ending',
      'squeezenet',
      'vgg',
    ]);
  });

  for (const name of networks) {
    describe(name, () => {
      const dir = path.join(NETS, name);
      const reference = JSON.parse(
        fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'),
      ) as NetworkReference;

      it('matches activations, gradients and the input gradient within 1e-4 of the largest magnitude', async () => {
        const model = readModelFile(path.join(dir, 'model.onnx'));
        const input = readNpy(path.join(dir, reference.input.file));
        const run = await runDifferentiated(
          model,
          { [reference.input.name]: { data: input.data, shape: input.shape } },
          {
            targets: reference.layers.map((l) => l.value),
            includeInput: reference.inputGradient !== undefined,
            ...(reference.output === undefined ? {} : { output: reference.output }),
          },
          (shape) => {
            const upstream = new Float32Array(shape.reduce((p, d) => p * d, 1));
            upstream[reference.targetClass] = 1;
            return upstream;
          },
        );

        expect(run.augmented.scoreOutput).toBe(reference.scoreValue);
        expect(
          relativeError(
            run.outputs[reference.scoreValue],
            readNpy(path.join(dir, reference.scores)).data,
          ),
        ).toBeLessThan(1e-4);
        for (const layer of reference.layers) {
          const target = run.augmented.targets.find((t) => t.value === layer.value);
          const activation = relativeError(
            run.outputs[target?.activationOutput ?? ''],
            readNpy(path.join(dir, layer.activation)).data,
          );
          const gradient = relativeError(
            run.outputs[target?.gradientOutput ?? ''],
            readNpy(path.join(dir, layer.gradient)).data,
          );
          expect({
            layer: layer.value,
            activation: activation < 1e-4,
            gradient: gradient < 1e-4,
          }).toEqual({
            layer: layer.value,
            activation: true,
            gradient: true,
          });
        }
        if (reference.inputGradient !== undefined) {
          const expected = readNpy(path.join(dir, reference.inputGradient)).data;
          expect(
            relativeError(run.outputs[run.augmented.inputGradientOutput ?? ''], expected),
          ).toBeLessThan(1e-4);
        }
      });
    });
  }
});
