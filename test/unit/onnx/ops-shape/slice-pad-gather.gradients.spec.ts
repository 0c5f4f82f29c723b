/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { int, ints, str } from '../../../../src/onnx/autodiff/gradient-rule';
import type { NodeAttributeValue } from '../../../../src/onnx/onnx.factory';
import { DataType } from '../../../../src/onnx/onnx.types';
import { expectGradcheck } from '../../../support/gradcheck';
import { buildTestModel, singleNodeModel } from '../../../support/onnx-test-model.builder';

const X = { name: 'X', shape: [2, 3, 5] };
const int64s = (values: readonly number[]): BigInt64Array => BigInt64Array.from(values, BigInt);
const INT64_MAX = 9223372036854775807n;

/** A node whose int64 operands (after X, '' for omitted) are initializers. */
function withConstants(
  op: string,
  opset: number,
  operands: (readonly number[] | BigInt64Array | '')[],
  attributes = {},
) {
  const names = operands.map((operand, i) => (operand === '' ? '' : `C${i}`));
  return buildTestModel({
    opset,
    inputs: [X],
    initializers: operands.flatMap((operand, i) =>
      operand === ''
        ? []
        : [
            {
              name: `C${i}`,
              dims: [operand.length],
              data: operand instanceof BigInt64Array ? operand : int64s(operand),
            },
          ],
    ),
    nodes: [{ op, inputs: ['X', ...names], outputs: ['Y'], attributes }],
    outputs: ['Y'],
  });
}

type Attributes = Record<string, NodeAttributeValue>;

const check = (model: Parameters<typeof expectGradcheck>[0], wrt = ['X']) =>
  expectGradcheck(model, { wrt, score: 'probability' });

describe('Slice gradient (central finite differences)', () => {
  it('takes starts, ends and axes as attributes at opset 9', async () => {
    await check(
      singleNodeModel(
        'Slice',
        [X],
        { starts: ints([1, -4]), ends: ints([3, 100]), axes: ints([1, 2]) },
        { opset: 9 },
      ),
    );
  });

  it.each([
    [
      'unit steps, default axes',
      [
        [0, 1, 1],
        [2, 3, 4],
      ],
    ],
    ['negative axes and starts', [[-2], [5], [-1]]],
    ['an end past the axis (INT64_MAX)', [[1], BigInt64Array.of(INT64_MAX), [2]]],
    [
      'step 2',
      [
        [0, 1],
        [3, 5],
        [1, 2],
        [1, 2],
      ],
    ],
    ['step -1 (reversal)', [[-1], BigInt64Array.of(-INT64_MAX), [2], [-1]]],
    ['step -2 from the middle', [[3], [0], [-1], [-2]]],
    [
      'mixed steps on two axes',
      [
        [2, 0],
        [0, 5],
        [1, 2],
        [-1, 3],
      ],
    ],
  ] as [string, (readonly number[] | BigInt64Array | '')[]][])(
    'matches with inputs at opset 13: %s',
    async (_label, operands) => {
      await check(withConstants('Slice', 13, operands));
    },
  );
});

describe('gradients through an empty selection', () => {
  const operandInitializers: Record<string, BigInt64Array> = {
    ONE: int64s([1]),
    AXIS: int64s([1]),
    CROP: int64s([0, -1, 0, 0, -2, 0]),
  };

  /** Concat(op(X), X) along axis 1, where op selects nothing: X's gradient is the Concat's alone. */
  function emptyThenConcat(
    opset: number,
    op: 'Slice' | 'Pad',
    operands: Attributes,
    inputs: string[],
  ) {
    return buildTestModel({
      opset,
      inputs: [X],
      initializers: Object.entries(operandInitializers).flatMap(([name, data]) =>
        inputs.includes(name) ? [{ name, dims: [data.length], data }] : [],
      ),
      nodes: [
        { op, inputs: ['X', ...inputs], outputs: ['E'], attributes: operands },
        { op: 'Concat', inputs: ['E', 'X'], outputs: ['Y'], attributes: { axis: int(1) } },
      ],
      outputs: ['Y'],
    });
  }

  it.each([
    [
      'a Slice with start == end (inputs, opset 13)',
      emptyThenConcat(13, 'Slice', {}, ['ONE', 'ONE', 'AXIS']),
    ],
    [
      'a Slice with start == end (attributes, opset 9)',
      emptyThenConcat(9, 'Slice', { starts: ints([2]), ends: ints([2]), axes: ints([1]) }, []),
    ],
    ['a Pad that crops an axis away (opset 13)', emptyThenConcat(13, 'Pad', {}, ['CROP'])],
  ])('gives a zero gradient through %s', async (_label, model) => {
    await check(model);
  });
});

describe('Pad gradient (central finite differences)', () => {
  it.each(['constant', 'reflect', 'edge'])(
    'matches in %s mode with pads as an attribute (opset 10)',
    async (mode) => {
      await check(
        singleNodeModel(
          'Pad',
          [X],
          { mode: str(mode), pads: ints([0, 1, 2, 0, 2, 1]) },
          { opset: 10 },
        ),
      );
    },
  );

  it.each(['constant', 'reflect', 'edge'])(
    'matches in %s mode with pads as an input (opset 13)',
    async (mode) => {
      await check(withConstants('Pad', 13, [[0, 2, 1, 0, 1, 3]], { mode: str(mode) }));
    },
  );

  it('matches with a constant value and an axes input (opset 18)', async () => {
    const model = buildTestModel({
      opset: 18,
      inputs: [X],
      initializers: [
        { name: 'PADS', dims: [4], data: int64s([1, 2, 2, 1]) },
        { name: 'VALUE', dims: [], data: [0.5] },
        { name: 'AXES', dims: [2], data: int64s([-1, 1]) },
      ],
      nodes: [{ op: 'Pad', inputs: ['X', 'PADS', 'VALUE', 'AXES'], outputs: ['Y'] }],
      outputs: ['Y'],
    });
    await check(model);
  });

  it('matches with negative (cropping) pads in constant mode', async () => {
    await check(withConstants('Pad', 13, [[0, -1, 2, 0, 1, -2]]));
  });

  it('matches in wrap mode (opset 19)', async () => {
    await check(withConstants('Pad', 19, [[0, 1, 2, 0, 2, 1]], { mode: str('wrap') }));
  });
});

describe('Gather gradient on the data input (central finite differences)', () => {
  it('adds repeated and negative constant indices back along axis 0', async () => {
    const model = singleNodeModel(
      'Gather',
      [{ name: 'X', shape: [4, 3] }],
      {},
      {
        initializers: [{ name: 'I', dims: [2, 2], data: int64s([0, -1, 2, 0]) }],
      },
    );
    await check(model);
  });

  it('takes run-time int64 indices along axis -2', async () => {
    const model = singleNodeModel('Gather', [X, { name: 'I', shape: [4], type: DataType.INT64 }], {
      axis: int(-2),
    });
    await expectGradcheck(model, {
      wrt: ['X'],
      score: 'probability',
      inputs: { I: int64s([2, -3, 2, 1]) },
    });
  });

  it('takes a scalar index along the last axis', async () => {
    const model = singleNodeModel(
      'Gather',
      [X],
      { axis: int(2) },
      {
        initializers: [{ name: 'I', dims: [], data: int64s([-2]) }],
      },
    );
    await check(model);
  });

  it('takes int32 indices', async () => {
    const model = singleNodeModel(
      'Gather',
      [X],
      { axis: int(1) },
      {
        initializers: [{ name: 'I', dims: [2], data: Int32Array.of(2, 2) }],
      },
    );
    await check(model);
  });
});
