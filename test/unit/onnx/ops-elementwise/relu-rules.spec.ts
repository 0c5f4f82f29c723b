/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as ort from 'onnxruntime-node';

import { differentiate } from '../../../../src/onnx/autodiff/differentiate';
import type { ReluRule } from '../../../../src/onnx/autodiff/gradient-rule';
import { encodeModel } from '../../../../src/onnx/onnx.codec';
import { probeValueFacts } from '../../../../src/runtime/value-probe';
import { singleNodeModel } from '../../../support/onnx-test-model.builder';

const x = Float32Array.of(-2, -1, 1, 2, -0.5, 0.5, 3, -3);
const upstream = Float32Array.of(1, -1, 1, -1, -2, 2, -3, 3);

/** d<upstream, Relu(X)>/dX as the augmented model computes it under `rule`. */
async function reluInputGradient(rule: ReluRule): Promise<number[]> {
  const model = singleNodeModel('Relu', [{ name: 'X', shape: [2, 4] }]);
  const facts = await probeValueFacts(model, { X: [2, 4] });
  const augmented = differentiate(model, facts, {
    targets: ['X'],
    score: 'probability',
    reluRule: rule,
  });
  const session = await ort.InferenceSession.create(encodeModel(augmented.model));
  try {
    const results = await session.run({
      X: new ort.Tensor('float32', x, [2, 4]),
      [augmented.upstreamGradientInput]: new ort.Tensor('float32', upstream, [2, 4]),
    });
    // + 0 turns the -0 of a masked negative gradient into 0 for toEqual.
    return Array.from(
      results[augmented.targets[0].gradientOutput].data as Float32Array,
      (v) => v + 0,
    );
  } finally {
    await session.release();
  }
}

describe('Relu gradient rules (hand computation)', () => {
  it('standard passes the gradient where the input is positive: g * (x > 0)', async () => {
    expect(await reluInputGradient('standard')).toEqual([0, 0, 1, -1, 0, 2, -3, 0]);
  });

  it('guided passes it where input and gradient are both positive: g * (x > 0) * (g > 0)', async () => {
    expect(await reluInputGradient('guided')).toEqual([0, 0, 1, 0, 0, 2, 0, 0]);
  });

  it('deconvnet passes it where the gradient is positive, whatever the input: g * (g > 0)', async () => {
    expect(await reluInputGradient('deconvnet')).toEqual([1, 0, 1, 0, 0, 2, 0, 3]);
  });
});
