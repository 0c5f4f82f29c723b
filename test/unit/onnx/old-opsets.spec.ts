/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { differentiate } from '../../../src/onnx/autodiff/differentiate';
import { float, floats, int, ints, str } from '../../../src/onnx/autodiff/gradient-rule';
import type { NodeAttributeValue } from '../../../src/onnx/onnx.factory';
import type { ModelProto } from '../../../src/onnx/onnx.types';
import { probeValueFacts } from '../../../src/runtime/value-probe';
import { runDifferentiated } from '../../support/augmented-run';
import { expectGradcheck } from '../../support/gradcheck';
import {
  buildTestModel,
  singleNodeModel,
  type TestValue,
} from '../../support/onnx-test-model.builder';
import { countOf, spread } from './ops-elementwise/gradcheck-inputs';
import { castThroughDouble } from './ops-shape/cast.models';

type Attributes = Record<string, NodeAttributeValue>;
type FeedData = Float32Array | BigInt64Array;

/**
 * One operator at an old opset: the model, the inputs to check and fixed
 * values. The augmented model keeps the opset, so onnxruntime refuses it
 * (no Sign, Expand or Where schema, no MaxPool Indices) unless every
 * backward node is valid there; finite differences then check the values.
 */
interface OpsetCase {
  readonly model: (opset: number) => ModelProto;
  readonly wrt: readonly string[];
  readonly inputs?: Readonly<Record<string, FeedData>>;
}

const X = { name: 'X', shape: [2, 3, 4] };
const IMAGE = { name: 'X', shape: [1, 2, 4, 4] };
const int64s = (values: readonly number[]): BigInt64Array => BigInt64Array.from(values, BigInt);
const positive = (shape: readonly number[]): Float32Array =>
  spread(countOf(shape), 0.5, 3).map((v) => v + 1);

const unary = (op: string, attributes: Attributes = {}, x: Float32Array = spread(24, 2)) => ({
  model: (opset: number) => singleNodeModel(op, [X], attributes, { opset }),
  wrt: ['X'],
  inputs: { X: x },
});

const binary = (op: string, b: TestValue) => ({
  model: (opset: number) => singleNodeModel(op, [X, b], {}, { opset }),
  wrt: ['X', b.name],
  inputs: { [b.name]: positive(b.shape) },
});

const reduce = (op: string, axes: number[] | undefined, keepdims: number) => ({
  model: (opset: number) =>
    singleNodeModel(
      op,
      [X],
      { keepdims: int(keepdims), ...(axes === undefined ? {} : { axes: ints(axes) }) },
      { opset },
    ),
  wrt: ['X'],
  inputs: { X: spread(24, 2) },
});

const withInitializer = (
  op: string,
  input: TestValue,
  initializer: { name: string; dims: number[]; data: FeedData | number[] },
  attributes: Attributes = {},
) => ({
  model: (opset: number) =>
    singleNodeModel(op, [input], attributes, { opset, initializers: [initializer] }),
  wrt: ['X'],
});

const CASES: [string, OpsetCase][] = [
  ['Relu', unary('Relu')],
  ['LeakyRelu', unary('LeakyRelu', { alpha: float(0.1) })],
  ['Elu', unary('Elu', { alpha: float(0.5) })],
  ['Selu', unary('Selu')],
  ['Sigmoid', unary('Sigmoid')],
  ['HardSigmoid', unary('HardSigmoid', { alpha: float(0.5), beta: float(0.4) }, spread(24, 2.4))],
  ['Tanh', unary('Tanh')],
  ['Softplus', unary('Softplus')],
  ['Clip (bounds as attributes)', unary('Clip', { min: float(-0.5), max: float(1) })],
  ['Softmax', unary('Softmax', { axis: int(1) })],
  ['LogSoftmax', unary('LogSoftmax', { axis: int(2) })],
  ['Neg', unary('Neg')],
  ['Exp', unary('Exp')],
  ['Abs (sign without Sign)', unary('Abs')],
  ['Sqrt', unary('Sqrt', {}, positive(X.shape))],
  ['Reciprocal', unary('Reciprocal', {}, positive(X.shape))],
  ['Log', unary('Log', {}, positive(X.shape))],
  ['Identity', unary('Identity')],
  ['Dropout (inference)', unary('Dropout', { ratio: float(0.5) })],
  ['Flatten', unary('Flatten', { axis: int(2) })],
  ['Transpose', unary('Transpose', { perm: ints([1, 2, 0]) })],
  ['Unsqueeze', unary('Unsqueeze', { axes: ints([0, 3]) })],
  [
    'Slice (steps of 1, attributes)',
    unary('Slice', { starts: ints([1, 0]), ends: ints([3, 3]), axes: ints([1, 2]) }),
  ],
  ['Pad, constant', unary('Pad', { pads: ints([0, 1, 2, 0, 2, 1]) })],
  ['Pad, reflect', unary('Pad', { mode: str('reflect'), pads: ints([0, 1, 2, 0, 1, 1]) })],
  ['Pad, edge', unary('Pad', { mode: str('edge'), pads: ints([0, 1, 0, 0, 2, 1]) })],
  ['Add, broadcast', binary('Add', { name: 'B', shape: [3, 1] })],
  ['Sub, broadcast', binary('Sub', { name: 'B', shape: [4] })],
  ['Mul, broadcast', binary('Mul', { name: 'B', shape: [3, 1] })],
  ['Div, broadcast', binary('Div', { name: 'B', shape: [1, 3, 4] })],
  [
    'Pow, run-time exponent',
    { ...binary('Pow', { name: 'P', shape: [4] }), inputs: { X: positive(X.shape) } },
  ],
  ['Max, same shapes', binary('Max', { name: 'B', shape: [2, 3, 4] })],
  ['Min, same shapes', binary('Min', { name: 'B', shape: [2, 3, 4] })],
  ['Sum, same shapes', binary('Sum', { name: 'B', shape: [2, 3, 4] })],
  ['Mean, same shapes', binary('Mean', { name: 'B', shape: [2, 3, 4] })],
  ['MatMul, batched', binary('MatMul', { name: 'B', shape: [4, 2] })],
  ['ReduceSum (broadcast back without Expand)', reduce('ReduceSum', [1], 1)],
  ['ReduceSum over every axis', reduce('ReduceSum', undefined, 0)],
  ['ReduceMean', reduce('ReduceMean', [0, 2], 0)],
  ['ReduceMax', reduce('ReduceMax', [2], 1)],
  ['ReduceMin', reduce('ReduceMin', [1], 0)],
  ['ReduceSumSquare', reduce('ReduceSumSquare', [-1], 1)],
  ['ReduceL2', reduce('ReduceL2', [1, 2], 0)],
  ['ReduceL1 (sign without Sign)', reduce('ReduceL1', [1], 1)],
  ['ReduceLogSumExp', reduce('ReduceLogSumExp', [0], 0)],
  ['Reshape', withInitializer('Reshape', X, { name: 'S', dims: [2], data: int64s([4, -1]) })],
  ['Tile', withInitializer('Tile', X, { name: 'R', dims: [3], data: int64s([1, 2, 2]) })],
  [
    'Gather',
    withInitializer(
      'Gather',
      X,
      { name: 'I', dims: [3], data: int64s([2, 0, 2]) },
      { axis: int(1) },
    ),
  ],
  [
    'Squeeze',
    {
      model: (opset) =>
        singleNodeModel(
          'Squeeze',
          [{ name: 'X', shape: [2, 1, 3] }],
          { axes: ints([1]) },
          { opset },
        ),
      wrt: ['X'],
    },
  ],
  [
    'Concat',
    {
      model: (opset) =>
        singleNodeModel(
          'Concat',
          [X, { name: 'B', shape: [2, 1, 4] }],
          { axis: int(1) },
          { opset },
        ),
      wrt: ['X', 'B'],
    },
  ],
  [
    'Split with an unused piece (zeros without Expand)',
    {
      model: (opset) =>
        singleNodeModel('Split', [X], { axis: int(1), split: ints([1, 2]) }, { opset, outputs: 2 }),
      wrt: ['X'],
    },
  ],
  [
    'Cast through double',
    {
      model: (opset) => castThroughDouble(X, opset),
      wrt: ['X'],
    },
  ],
  [
    'PRelu with a per-channel slope',
    {
      model: (opset) =>
        singleNodeModel('PRelu', [IMAGE, { name: 'S', shape: [2, 1, 1] }], {}, { opset }),
      wrt: ['X', 'S'],
      inputs: { X: spread(32) },
    },
  ],
  [
    'Gemm with C',
    {
      model: (opset) =>
        singleNodeModel(
          'Gemm',
          [
            { name: 'A', shape: [3, 4] },
            { name: 'B', shape: [2, 4] },
            { name: 'C', shape: [2] },
          ],
          { transB: int(1), alpha: float(0.5), beta: float(2) },
          { opset },
        ),
      wrt: ['A', 'B', 'C'],
    },
  ],
  [
    'Conv with bias, stride 2 and pads',
    {
      model: (opset) =>
        singleNodeModel(
          'Conv',
          [IMAGE, { name: 'W', shape: [3, 2, 3, 3] }, { name: 'B', shape: [3] }],
          { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
          { opset },
        ),
      wrt: ['X', 'W', 'B'],
    },
  ],
  [
    'ConvTranspose',
    {
      model: (opset) =>
        singleNodeModel(
          'ConvTranspose',
          [
            { name: 'X', shape: [1, 2, 3, 3] },
            { name: 'W', shape: [2, 2, 3, 3] },
          ],
          { strides: ints([2, 2]), pads: ints([1, 0, 1, 1]) },
          { opset },
        ),
      wrt: ['X', 'W'],
    },
  ],
  [
    'Upsample with scales as an attribute',
    {
      model: (opset) =>
        singleNodeModel('Upsample', [IMAGE], { scales: floats([1, 1, 2, 1.5]) }, { opset }),
      wrt: ['X'],
    },
  ],
  [
    'BatchNormalization with statistics fed',
    {
      model: (opset) =>
        singleNodeModel(
          'BatchNormalization',
          ['X', 'S', 'B', 'M', 'V'].map((name) => (name === 'X' ? IMAGE : { name, shape: [2] })),
          { epsilon: float(0.5) },
          { opset },
        ),
      wrt: ['X', 'S', 'B', 'M', 'V'],
      inputs: { V: Float32Array.of(0.5, 1.5) },
    },
  ],
  [
    'BatchNormalization with spatial 0 (statistics per element of [C, H, W])',
    {
      model: (opset) =>
        singleNodeModel(
          'BatchNormalization',
          ['X', 'S', 'B', 'M', 'V'].map((name) =>
            name === 'X' ? { name, shape: [2, 2, 2, 3] } : { name, shape: [2, 2, 3] },
          ),
          { epsilon: float(0.5), spatial: int(0) },
          { opset },
        ),
      wrt: ['X', 'S', 'B', 'M', 'V'],
      inputs: { V: spread(12, 0.4, 11).map((v) => v + 1) },
    },
  ],
  [
    'InstanceNormalization',
    {
      model: (opset) =>
        singleNodeModel(
          'InstanceNormalization',
          [IMAGE, { name: 'S', shape: [2] }, { name: 'B', shape: [2] }],
          { epsilon: float(0.01) },
          { opset },
        ),
      wrt: ['X', 'S', 'B'],
    },
  ],
  [
    'AveragePool with pads',
    unaryPool('AveragePool', {
      kernel_shape: ints([3, 3]),
      strides: ints([2, 2]),
      pads: ints([1, 1, 1, 1]),
    }),
  ],
  [
    'MaxPool, 2x2 stride 2',
    unaryPool('MaxPool', { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
  ],
  ['MaxPool, overlapping 3x3', unaryPool('MaxPool', { kernel_shape: ints([3, 3]) })],
  [
    'MaxPool with pads over negative inputs (padding never wins)',
    {
      ...unaryPool('MaxPool', {
        kernel_shape: ints([3, 3]),
        strides: ints([2, 2]),
        pads: ints([1, 1, 1, 1]),
      }),
      inputs: { X: spread(32).map((v) => v - 2) },
    },
  ],
  [
    'MaxPool, SAME_UPPER',
    unaryPool('MaxPool', {
      kernel_shape: ints([2, 2]),
      auto_pad: str('SAME_UPPER'),
      strides: ints([2, 2]),
    }),
  ],
  ['GlobalAveragePool', unaryPool('GlobalAveragePool', {})],
  ['GlobalMaxPool', unaryPool('GlobalMaxPool', {})],
];

function unaryPool(op: string, attributes: Attributes): OpsetCase {
  return { model: (opset) => singleNodeModel(op, [IMAGE], attributes, { opset }), wrt: ['X'] };
}

describe.each([7, 8])('gradient rules at opset %i (central finite differences)', (opset) => {
  it.each(CASES)('%s matches', async (_label, { model, wrt, inputs }) => {
    await expectGradcheck(model(opset), {
      wrt,
      score: 'probability',
      ...(inputs === undefined ? {} : { inputs }),
    });
  });

  it('sums three gradient contributions of one value with Sum', async () => {
    const model = buildTestModel({
      opset,
      inputs: [X],
      nodes: [
        { op: 'Relu', inputs: ['X'], outputs: ['R'] },
        { op: 'Mul', inputs: ['R', 'R'], outputs: ['S'] },
        { op: 'Add', inputs: ['S', 'R'], outputs: ['Y'] },
      ],
      outputs: ['Y'],
    });
    await expectGradcheck(model, {
      wrt: ['X'],
      score: 'probability',
      inputs: { X: spread(24, 2) },
    });
  });

  it('sends a MaxPool tie to the first maximum in window order, as onnxruntime picks it', async () => {
    const x = Float32Array.from([1, 5, 5, 2, 5, 0, 3, 5, 1]);
    const model = singleNodeModel(
      'MaxPool',
      [{ name: 'X', shape: [1, 1, 3, 3] }],
      { kernel_shape: ints([2, 2]) },
      { opset },
    );
    const run = await runDifferentiated(
      model,
      { X: { data: x, shape: [1, 1, 3, 3] } },
      { targets: ['X'] },
      1,
    );

    // Windows in row-major order pick the first 5 they meet: (0,1), (0,1), (1,1), (1,1).
    expect(Array.from(run.outputs[run.augmented.targets[0].gradientOutput])).toEqual([
      0, 2, 0, 0, 2, 0, 0, 0, 0,
    ]);
  });

  it('sends a GlobalMaxPool tie to the first maximum in row-major order', async () => {
    const x = Float32Array.from([1, 4, 0, 4, -1, 2, 2, 0]);
    const model = singleNodeModel(
      'GlobalMaxPool',
      [{ name: 'X', shape: [1, 2, 2, 2] }],
      {},
      { opset },
    );
    const run = await runDifferentiated(
      model,
      { X: { data: x, shape: [1, 2, 2, 2] } },
      { targets: ['X'] },
      3,
    );

    // Channel 0 holds 4 at flat positions 1 and 3, channel 1 holds 2 at positions 1 and 2.
    expect(Array.from(run.outputs[run.augmented.targets[0].gradientOutput])).toEqual([
      0, 3, 0, 0, 0, 3, 0, 0,
    ]);
  });
});

describe('opsets older than 7', () => {
  it('refuses a model at opset 6 with UNSUPPORTED_OPSET naming the node, the opset and the minimum', async () => {
    const model = buildTestModel({
      opset: 6,
      inputs: [{ name: 'X', shape: [2, 3] }],
      nodes: [
        { op: 'Relu', inputs: ['X'], outputs: ['R'], name: 'first' },
        { op: 'Relu', inputs: ['R'], outputs: ['Y'], name: 'second' },
      ],
      outputs: ['Y'],
    });
    const facts = await probeValueFacts(model, { X: [2, 3] });

    expect(() => differentiate(model, facts, { targets: ['X'] })).toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED_OPSET',
        kind: 'unprocessable',
        message:
          'Operator Relu (node "second"): differentiating it needs default-domain opset 7 or newer (the backward Mul, Add and comparisons broadcast numpy-style, new in opset 7), the model imports opset 6',
      }),
    );
  });
});
