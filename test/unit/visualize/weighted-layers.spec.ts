import { foldBatchNorms } from '../../../src/visualize/batch-norm.folding';
import { weightedLayers } from '../../../src/visualize/weighted-layers';
import { buildTestModel } from '../../support/onnx-test-model.builder';

/** Conv(bias) -> BN -> Relu -> BN2: the first BN folds into the conv, BN2 (after a Relu) stays. */
const model = buildTestModel({
  inputs: [{ name: 'x', shape: [1, 1, 2, 2] }],
  initializers: [
    { name: 'w', dims: [2, 1, 1, 1], data: [2, -3] },
    { name: 'b', dims: [2], data: [1, 0.5] },
    { name: 'gamma', dims: [2], data: [3, 1] },
    { name: 'beta', dims: [2], data: [0.25, -1] },
    { name: 'mean', dims: [2], data: [1, 2] },
    { name: 'var', dims: [2], data: [3, 0] },
    { name: 'gamma2', dims: [2], data: [1, 1] },
    { name: 'beta2', dims: [2], data: [0, 0] },
  ],
  nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], name: 'conv' },
    {
      op: 'BatchNormalization',
      inputs: ['c', 'gamma', 'beta', 'mean', 'var'],
      outputs: ['n'],
      name: 'bn',
      attributes: { epsilon: { kind: 'float', value: 1 } },
    },
    { op: 'Relu', inputs: ['n'], outputs: ['r'], name: 'relu' },
    {
      op: 'BatchNormalization',
      inputs: ['r', 'gamma2', 'beta2', 'mean', 'var'],
      outputs: ['y'],
      name: 'bn2',
    },
  ],
  outputs: ['y'],
});

describe('weightedLayers', () => {
  it('lists layers with trained parameters; batch norm as scale and shift, running statistics left out', () => {
    const layers = weightedLayers(model);

    expect(layers.map((l) => [l.layer, l.parameters.map((p) => `${p.role}:${p.name}`)])).toEqual([
      ['conv', ['weight:w', 'bias:b']],
      ['bn', ['scale:gamma', 'shift:beta']],
      ['bn2', ['scale:gamma2', 'shift:beta2']],
    ]);
  });
});

describe('foldBatchNorms', () => {
  it('folds a BN that follows a conv: w * gamma / sqrt(var + eps), beta + (b - mean) * gamma / sqrt(var + eps)', () => {
    const layers = foldBatchNorms(model, weightedLayers(model));

    // channel 0: factor 3 / sqrt(3 + 1) = 1.5 -> w 3, b 0.25 + (1 - 1) * 1.5 = 0.25
    // channel 1: factor 1 / sqrt(0 + 1) = 1 -> w -3, b -1 + (0.5 - 2) * 1 = -2.5
    expect(layers.map((l) => l.layer)).toEqual(['conv', 'bn2']);
    const [conv] = layers;
    expect(conv.foldedBatchNorm).toBe('bn');
    expect(Array.from(conv.parameters[0].data)).toEqual([3, -3]);
    expect(Array.from(conv.parameters[1].data)).toEqual([0.25, -2.5]);
    expect(conv.parameters.map((p) => p.name)).toEqual(['w (BN folded)', 'b (BN folded)']);
  });
});
