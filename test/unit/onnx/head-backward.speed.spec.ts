/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as ort from 'onnxruntime-node';

import { differentiate } from '../../../src/onnx/autodiff/differentiate';
import { encodeModel } from '../../../src/onnx/onnx.codec';
import { probeValueFacts } from '../../../src/runtime/value-probe';
import { RESNET50, resnetModel } from '../../support/resnet-model.builder';

describe('Grad-CAM on the last conv layer', () => {
  it('adds a tiny backward: no convolution, a handful of nodes', async () => {
    const model = resnetModel({
      ...RESNET50,
      blocks: [1, 1, 1, 1],
      width: 8,
      inputSize: 64,
      classes: 10,
    });
    const facts = await probeValueFacts(model, { input: [1, 3, 64, 64] });
    const augmented = differentiate(model, facts, { targets: ['last_conv_layer'] });

    const added = augmented.model.graph!.node.slice(model.graph!.node.length);
    expect(
      added.map((n) => n.opType).filter((op) => op === 'Conv' || op === 'ConvTranspose'),
    ).toEqual([]);
    expect(added.length).toBeLessThanOrEqual(6);
    expect(augmented.model.graph!.output.map((o) => o.name)).toEqual([
      'logits',
      'last_conv_layer',
      augmented.targets[0].gradientOutput,
    ]);
  });

  // A timing test on a full ResNet-50 takes minutes on a shared 2-core machine: run it with CNNLENS_BENCH=1.
  const timing = process.env.CNNLENS_BENCH === '1' ? it : it.skip;
  timing(
    'costs at most 1.25x a plain run on ResNet-50 at 224x224',
    async () => {
      const model = resnetModel(RESNET50);
      const facts = await probeValueFacts(model, { input: [1, 3, 224, 224] });
      const augmented = differentiate(model, facts, { targets: ['last_conv_layer'] });
      const input = new ort.Tensor(
        'float32',
        Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i)),
        [1, 3, 224, 224],
      );
      const upstream = new ort.Tensor(
        'float32',
        Float32Array.from({ length: 1000 }, (_, i) => (i === 3 ? 1 : 0)),
        [1, 1000],
      );

      const plain = await ort.InferenceSession.create(encodeModel(model));
      const withGradients = await ort.InferenceSession.create(encodeModel(augmented.model));
      const time = async (run: () => Promise<unknown>): Promise<number> => {
        const samples: number[] = [];
        for (let i = 0; i < 7; i++) {
          const start = process.hrtime.bigint();
          await run();
          samples.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        return samples.sort((a, b) => a - b)[3];
      };
      await time(() => plain.run({ input }));
      await time(() => withGradients.run({ input, [augmented.upstreamGradientInput]: upstream }));
      const plainMs = await time(() => plain.run({ input }));
      const augmentedMs = await time(() =>
        withGradients.run({ input, [augmented.upstreamGradientInput]: upstream }),
      );
      console.log(
        `ResNet-50 median: plain ${plainMs.toFixed(1)} ms, augmented ${augmentedMs.toFixed(1)} ms (${(augmentedMs / plainMs).toFixed(3)}x)`,
      );

      expect(augmentedMs / plainMs).toBeLessThanOrEqual(1.25);
      await plain.release();
      await withGradients.release();
    },
    600_000,
  );
});
