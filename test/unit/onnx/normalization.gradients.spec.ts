/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { float, int } from '../../../src/onnx/autodiff/gradient-rule';
import { expectGradcheck } from '../../support/gradcheck';
import { buildTestModel } from '../../support/onnx-test-model.builder';

describe('BatchNormalization gradient', () => {
  it('matches finite differences for X, scale, B, mean and var (all fed as inputs)', async () => {
    const model = buildTestModel({
      inputs: [
        { name: 'X', shape: [2, 3, 3, 2] },
        { name: 'S', shape: [3] },
        { name: 'B', shape: [3] },
        { name: 'M', shape: [3] },
        { name: 'V', shape: [3] },
      ],
      nodes: [
        {
          op: 'BatchNormalization',
          inputs: ['X', 'S', 'B', 'M', 'V'],
          outputs: ['Y'],
          attributes: { epsilon: float(0.5) },
        },
      ],
      outputs: ['Y'],
    });
    // Variances must stay positive: they are fed, not drawn.
    await expectGradcheck(model, {
      wrt: ['X', 'S', 'B', 'M', 'V'],
      inputs: { V: Float32Array.from([0.5, 1.2, 2]) },
    });
  });

  it('matches finite differences for X with folded constant statistics', async () => {
    const model = buildTestModel({
      inputs: [{ name: 'X', shape: [1, 2, 3, 3] }],
      initializers: [
        { name: 'S', dims: [2], data: [1.5, -0.7] },
        { name: 'B', dims: [2], data: [0.1, 0.2] },
        { name: 'M', dims: [2], data: [0.3, -0.2] },
        { name: 'V', dims: [2], data: [0.8, 2.5] },
      ],
      nodes: [{ op: 'BatchNormalization', inputs: ['X', 'S', 'B', 'M', 'V'], outputs: ['Y'] }],
      outputs: ['Y'],
    });
    await expectGradcheck(model, { wrt: ['X'] });
  });
});

describe('InstanceNormalization gradient', () => {
  it('matches finite differences for X, scale and B', async () => {
    const model = buildTestModel({
      inputs: [
        { name: 'X', shape: [2, 2, 3, 3] },
        { name: 'S', shape: [2] },
        { name: 'B', shape: [2] },
      ],
      nodes: [
        {
          op: 'InstanceNormalization',
          inputs: ['X', 'S', 'B'],
          outputs: ['Y'],
          attributes: { epsilon: float(0.01) },
        },
      ],
      outputs: ['Y'],
    });
    await expectGradcheck(model, { wrt: ['X', 'S', 'B'] });
  });
});

describe('LayerNormalization gradient', () => {
  it.each([
    ['last axis', -1, [2, 3, 4], [4]],
    ['axis 1 over C, H, W', 1, [2, 2, 2, 3], [2, 2, 3]],
    ['axis 2 with a broadcast scale', 2, [2, 3, 2, 3], [1, 3]],
  ])('matches finite differences for X, scale and B: %s', async (_name, axis, x, scale) => {
    const model = buildTestModel({
      opset: 17,
      inputs: [
        { name: 'X', shape: x },
        { name: 'S', shape: scale },
        { name: 'B', shape: scale },
      ],
      nodes: [
        {
          op: 'LayerNormalization',
          inputs: ['X', 'S', 'B'],
          outputs: ['Y'],
          attributes: { axis: int(axis), epsilon: float(0.01) },
        },
      ],
      outputs: ['Y'],
    });
    await expectGradcheck(model, { wrt: ['X', 'S', 'B'] });
  });

  it('matches finite differences at opset 18 (ReduceMean takes axes as an input)', async () => {
    const model = buildTestModel({
      opset: 18,
      inputs: [
        { name: 'X', shape: [2, 5] },
        { name: 'S', shape: [5] },
      ],
      nodes: [{ op: 'LayerNormalization', inputs: ['X', 'S'], outputs: ['Y'] }],
      outputs: ['Y'],
    });
    await expectGradcheck(model, { wrt: ['X', 'S'] });
  });
});
