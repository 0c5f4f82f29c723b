/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

import { differentiate } from '../../../src/onnx/autodiff/differentiate';
import { exposeValues } from '../../../src/onnx/expose-values';
import { readModelFile } from '../../../src/onnx/model-file.reader';
import { encodeModel } from '../../../src/onnx/onnx.codec';
import type { ModelProto } from '../../../src/onnx/onnx.types';
import { listTargetableLayers } from '../../../src/onnx/targetable-layers';
import { probeValueFacts } from '../../../src/runtime/value-probe';
import { readNpy } from '../../support/npy.reader';

interface NetworkReference {
  readonly input: { readonly name: string; readonly file: string };
  readonly output?: string;
  readonly targetClass: number;
  readonly layers: readonly { readonly value: string }[];
}

type Optimisation = 'disabled' | 'all';
type Outputs = Readonly<Record<string, Float32Array>>;

const NETS = path.resolve(__dirname, '../../fixtures/nets');
const networks = fs
  .readdirSync(NETS)
  .filter((name) => fs.existsSync(path.join(NETS, name, 'model.onnx')));

async function run(
  model: ModelProto,
  feeds: Record<string, ort.Tensor>,
  optimisation: Optimisation,
): Promise<Outputs> {
  const session = await ort.InferenceSession.create(encodeModel(model), {
    graphOptimizationLevel: optimisation,
  });
  try {
    const results = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(results).map(([name, tensor]) => [name, tensor.data as Float32Array]),
    );
  } finally {
    await session.release();
  }
}

/** Elements whose float32 bit patterns differ (so -0 against 0 and NaN payloads count). */
function differingBits(ours: Float32Array | undefined, plain: Float32Array): number {
  if (ours?.length !== plain.length) {
    return Infinity;
  }
  const a = new Uint32Array(ours.buffer, ours.byteOffset, ours.length);
  const b = new Uint32Array(plain.buffer, plain.byteOffset, plain.length);
  return a.reduce((count, bits, i) => count + (bits === b[i] ? 0 : 1), 0);
}

/** max |ours - plain| over max |plain|. */
function relativeDifference(ours: Float32Array | undefined, plain: Float32Array): number {
  if (ours?.length !== plain.length) {
    return Infinity;
  }
  let difference = 0;
  let scale = 0;
  plain.forEach((value, i) => {
    difference = Math.max(difference, Math.abs((ours[i] ?? NaN) - value));
    scale = Math.max(scale, Math.abs(value));
  });
  return difference / (scale === 0 ? 1 : scale);
}

describe('original outputs of transformed models (every fixture net)', () => {
  it('finds the fixture nets', () => {
    expect(networks.length).toBeGreaterThanOrEqual(12);
  });

  describe.each(networks)('%s', (name) => {
    const dir = path.join(NETS, name);
    const reference = JSON.parse(
      fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'),
    ) as NetworkReference;
    const model = readModelFile(path.join(dir, 'model.onnx'));
    const input = readNpy(path.join(dir, reference.input.file));
    const feeds = { [reference.input.name]: new ort.Tensor('float32', input.data, input.shape) };
    const originals = model.graph!.output.map((o) => o.name ?? '');

    /** The exposed and the augmented model with the feeds each takes. */
    async function transformed(): Promise<[string, ModelProto, Record<string, ort.Tensor>][]> {
      const facts = await probeValueFacts(model, { [reference.input.name]: input.shape });
      const layers = listTargetableLayers(model, facts).map((layer) => layer.value);
      const augmented = differentiate(model, facts, {
        targets: reference.layers.map((layer) => layer.value),
        includeInput: true,
        ...(reference.output === undefined ? {} : { output: reference.output }),
      });
      const scoreShape = facts.get(augmented.scoreOutput)?.shape ?? [];
      const upstream = new Float32Array(scoreShape.reduce((p, d) => p * d, 1));
      upstream[reference.targetClass] = 1;

      expect(layers.length).toBeGreaterThan(0);
      return [
        ['exposeValues of every targetable layer', exposeValues(model, layers, facts), feeds],
        [
          'differentiate (reference layers and the input gradient)',
          augmented.model,
          {
            ...feeds,
            [augmented.upstreamGradientInput]: new ort.Tensor('float32', upstream, scoreShape),
          },
        ],
      ];
    }

    it('keeps them bit-identical with graph optimisations disabled', async () => {
      const plain = await run(model, feeds, 'disabled');

      for (const [transform, changed, changedFeeds] of await transformed()) {
        const outputs = await run(changed, changedFeeds, 'disabled');
        expect(Object.keys(outputs).length).toBeGreaterThan(originals.length);
        for (const output of originals) {
          expect({
            transform,
            output,
            differing: differingBits(outputs[output], plain[output]),
          }).toEqual({ transform, output, differing: 0 });
        }
      }
    });

    // Fusions the plain model gets are blocked by the new outputs, so the last
    // float32 bits move (expose-values.ts); measured up to 6.4e-7 of the
    // largest logit, bounded here with a margin for other CPUs' kernels.
    it('keeps them within float32 rounding under the default optimisations', async () => {
      const plain = await run(model, feeds, 'all');

      for (const [transform, changed, changedFeeds] of await transformed()) {
        const outputs = await run(changed, changedFeeds, 'all');
        for (const output of originals) {
          const difference = relativeDifference(outputs[output], plain[output]);
          expect({ transform, output, close: difference < 1e-5 }).toEqual({
            transform,
            output,
            close: true,
          });
        }
      }
    });
  });
});
