/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as ort from 'onnxruntime-node';

import { differentiate } from '../../../../src/onnx/autodiff/differentiate';
import {
  float,
  type AttributeValue,
  type ReluRule,
} from '../../../../src/onnx/autodiff/gradient-rule';
import { encodeModel } from '../../../../src/onnx/onnx.codec';
import { probeValueFacts } from '../../../../src/runtime/value-probe';
import { runDifferentiated } from '../../../support/augmented-run';
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

describe('ReLU-family gradients at the kink x = 0 (PyTorch convention: the negative branch)', () => {
  const at = Float32Array.of(-1, 0, 2);

  /** d(sum Y)/dX for one activation node at `opset`. */
  async function gradientAt(
    op: string,
    attributes: Readonly<Record<string, AttributeValue>>,
    opset: number,
    slope?: Float32Array,
  ): Promise<number[]> {
    const model = singleNodeModel(op, [{ name: 'X', shape: [3] }], attributes, {
      opset,
      ...(slope === undefined ? {} : { initializers: [{ name: 'S', dims: [1], data: slope }] }),
    });
    const run = await runDifferentiated(
      model,
      { X: { data: at, shape: [3] } },
      { targets: ['X'], score: 'probability' },
      1,
    );
    return Array.from(run.outputs[run.augmented.targets[0].gradientOutput]);
  }

  // By hand: alpha (as float32) at -1 and at 0, 1 at 2.
  it.each([17, 8])('LeakyRelu with alpha 0.1 has slope alpha at 0 (opset %i)', async (opset) => {
    const alpha = Math.fround(0.1);
    expect(await gradientAt('LeakyRelu', { alpha: float(0.1) }, opset)).toEqual([alpha, alpha, 1]);
  });

  // By hand: alpha * exp(x) = 0.5 / e at -1, alpha * exp(0) = 0.5 at 0, 1 at 2.
  it.each([17, 8])('Elu with alpha 0.5 has slope alpha at 0 (opset %i)', async (opset) => {
    const [below, kink, above] = await gradientAt('Elu', { alpha: float(0.5) }, opset);

    expect(below).toBeCloseTo(0.5 / Math.E, 6);
    expect([kink, above]).toEqual([0.5, 1]);
  });

  // By hand: the slope 0.25 at -1 and at 0, 1 at 2.
  it.each([17, 8])('PRelu with slope 0.25 has slope 0.25 at 0 (opset %i)', async (opset) => {
    expect(await gradientAt('PRelu', {}, opset, Float32Array.of(0.25))).toEqual([0.25, 0.25, 1]);
  });
});
