/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { int, ints, str, type AttributeValue } from '../../../src/onnx/autodiff/gradient-rule';
import { runDifferentiated } from '../../support/augmented-run';
import { expectGradcheck } from '../../support/gradcheck';
import { buildTestModel, singleNodeModel } from '../../support/onnx-test-model.builder';

type Attributes = Record<string, AttributeValue>;

const poolModel = (op: string, x: number[], attributes: Attributes) =>
  singleNodeModel(op, [{ name: 'X', shape: x }], attributes);

describe('MaxPool gradient', () => {
  const cases: [string, number[], Attributes][] = [
    ['2x2 stride 2', [2, 2, 4, 4], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }],
    ['overlapping 3x3 stride 1', [1, 2, 5, 5], { kernel_shape: ints([3, 3]) }],
    [
      'overlapping 3x3 stride 2 with pads (ResNet stem)',
      [1, 2, 7, 7],
      { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
    ],
    [
      'ceil_mode',
      [1, 1, 6, 7],
      { kernel_shape: ints([3, 2]), strides: ints([2, 2]), ceil_mode: int(1) },
    ],
    [
      'dilations and asymmetric pads',
      [1, 2, 7, 6],
      { kernel_shape: ints([2, 2]), dilations: ints([2, 2]), pads: ints([1, 0, 0, 1]) },
    ],
    [
      'SAME_UPPER',
      [1, 1, 5, 5],
      { kernel_shape: ints([2, 2]), strides: ints([2, 2]), auto_pad: str('SAME_UPPER') },
    ],
    ['storage_order 1', [1, 1, 4, 5], { kernel_shape: ints([2, 2]), storage_order: int(1) }],
  ];

  it.each(cases)('matches finite differences: %s', async (_name, x, attributes) => {
    await expectGradcheck(poolModel('MaxPool', x, attributes), { wrt: ['X'] });
  });

  it('matches finite differences in 1-D', async () => {
    await expectGradcheck(
      poolModel('MaxPool', [2, 2, 9], { kernel_shape: ints([3]), strides: ints([2]) }),
      { wrt: ['X'] },
    );
  });

  it('sends a tie to the first maximum in window order, as onnxruntime picks it', async () => {
    const x = Float32Array.from([1, 5, 5, 2, 5, 0, 3, 5, 1]);
    const model = poolModel('MaxPool', [1, 1, 3, 3], { kernel_shape: ints([2, 2]) });
    const run = await runDifferentiated(
      model,
      { X: { data: x, shape: [1, 1, 3, 3] } },
      { targets: ['X'] },
      1,
    );

    // Windows in row-major order pick the first 5 they meet: (0,1), (0,1), (1,1), (1,1).
    const gradient = run.outputs[run.augmented.targets[0].gradientOutput];
    expect(Array.from(gradient)).toEqual([0, 2, 0, 0, 2, 0, 0, 0, 0]);
  });
});

describe('AveragePool gradient', () => {
  const cases: [string, number[], Attributes][] = [
    ['2x2 stride 2', [2, 2, 4, 4], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }],
    ['overlapping 3x3', [1, 1, 5, 5], { kernel_shape: ints([3, 3]) }],
    [
      'pads excluded from the count',
      [1, 2, 5, 5],
      { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
    ],
    [
      'pads included in the count',
      [1, 2, 5, 5],
      {
        kernel_shape: ints([3, 3]),
        strides: ints([2, 2]),
        pads: ints([1, 1, 1, 1]),
        count_include_pad: int(1),
      },
    ],
    [
      'ceil_mode',
      [1, 1, 6, 7],
      { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: int(1) },
    ],
    [
      'ceil_mode with pads included',
      [1, 1, 6, 6],
      {
        kernel_shape: ints([3, 3]),
        strides: ints([2, 2]),
        pads: ints([1, 0, 1, 0]),
        ceil_mode: int(1),
        count_include_pad: int(1),
      },
    ],
    ['asymmetric pads', [1, 1, 5, 4], { kernel_shape: ints([2, 3]), pads: ints([0, 1, 1, 2]) }],
  ];

  it.each(cases)('matches finite differences: %s', async (_name, x, attributes) => {
    await expectGradcheck(poolModel('AveragePool', x, attributes), { wrt: ['X'] });
  });
});

describe('global pooling gradients', () => {
  it.each(['GlobalAveragePool', 'GlobalMaxPool'])('%s matches finite differences', async (op) => {
    await expectGradcheck(poolModel(op, [2, 3, 4, 5], {}), { wrt: ['X'] });
  });

  it('GlobalMaxPool sends a tie to the first maximum in row-major order', async () => {
    const x = Float32Array.from([1, 4, 0, 4, -1, 2, 2, 0]);
    const run = await runDifferentiated(
      poolModel('GlobalMaxPool', [1, 2, 2, 2], {}),
      { X: { data: x, shape: [1, 2, 2, 2] } },
      { targets: ['X'] },
      3,
    );

    // Channel 0 holds 4 at flat positions 1 and 3, channel 1 holds 2 at positions 1 and 2.
    expect(Array.from(run.outputs[run.augmented.targets[0].gradientOutput])).toEqual([
      0, 3, 0, 0, 0, 3, 0, 0,
    ]);
  });

  it('GlobalMaxPool after a ReLU-free conv chain matches finite differences', async () => {
    const model = buildTestModel({
      inputs: [
        { name: 'X', shape: [1, 2, 4, 4] },
        { name: 'W', shape: [3, 2, 3, 3] },
      ],
      nodes: [
        {
          op: 'Conv',
          inputs: ['X', 'W'],
          outputs: ['C'],
          attributes: { pads: ints([1, 1, 1, 1]) },
        },
        { op: 'GlobalMaxPool', inputs: ['C'], outputs: ['Y'] },
      ],
      outputs: ['Y'],
    });
    await expectGradcheck(model, { wrt: ['X', 'W'] });
  });
});
