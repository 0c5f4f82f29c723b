/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { int, ints } from '../../../../src/onnx/autodiff/gradient-rule';
import type { NodeAttributeValue } from '../../../../src/onnx/onnx.factory';
import { expectGradcheck } from '../../../support/gradcheck';
import { singleNodeModel } from '../../../support/onnx-test-model.builder';
import { spread } from './gradcheck-inputs';

const X = { name: 'X', shape: [2, 3, 2, 2] };

type Attributes = Record<string, NodeAttributeValue>;

/** A reduction with `axes` as an attribute (attributeAxes) or an int64 initializer input. */
function reduceModel(
  op: string,
  opset: number,
  axes: number[] | undefined,
  asInput: boolean,
  extra: Attributes,
) {
  if (axes === undefined || !asInput) {
    return singleNodeModel(
      op,
      [X],
      { ...extra, ...(axes === undefined ? {} : { axes: ints(axes) }) },
      { opset },
    );
  }
  return singleNodeModel(op, [X], extra, {
    opset,
    initializers: [{ name: 'AXES', dims: [axes.length], data: BigInt64Array.from(axes, BigInt) }],
  });
}

const CASES: [string, number, number[] | undefined, boolean, Attributes][] = [
  ['ReduceSum', 11, [1], false, { keepdims: int(0) }],
  ['ReduceSum', 11, undefined, false, {}],
  ['ReduceSum', 13, [-1], true, { keepdims: int(0) }],
  ['ReduceSum', 13, [0, 2], true, {}],
  ['ReduceSum', 13, undefined, false, { keepdims: int(0) }],
  ['ReduceSum', 13, undefined, false, { noop_with_empty_axes: int(1) }],
  ['ReduceMean', 13, [2, 3], false, {}],
  ['ReduceMean', 13, [-3], false, { keepdims: int(0) }],
  ['ReduceMean', 18, [-2, -1], true, { keepdims: int(0) }],
  ['ReduceMean', 18, undefined, false, {}],
  ['ReduceMax', 13, [1], false, { keepdims: int(0) }],
  ['ReduceMax', 18, [2, 3], true, {}],
  ['ReduceMax', 18, undefined, false, { keepdims: int(0) }],
  ['ReduceMin', 13, [-1], false, {}],
  ['ReduceMin', 18, [1], true, { keepdims: int(0) }],
  ['ReduceSumSquare', 13, [1], false, {}],
  ['ReduceSumSquare', 18, [0, 3], true, { keepdims: int(0) }],
  ['ReduceL2', 13, [2, 3], false, {}],
  ['ReduceL2', 18, [-1], true, { keepdims: int(0) }],
  ['ReduceL1', 13, [1], false, {}],
  ['ReduceLogSumExp', 13, [1, 2], false, { keepdims: int(0) }],
  ['ReduceLogSumExp', 18, undefined, false, {}],
];

describe('reduction gradients (central finite differences)', () => {
  it.each(CASES)(
    '%s at opset %i, axes %p (as input: %p), %j',
    async (op, opset, axes, asInput, extra) => {
      const model = reduceModel(op, opset, axes, asInput, extra);
      await expectGradcheck(model, {
        wrt: ['X'],
        score: 'probability',
        inputs: { X: spread(24, 2) },
      });
    },
  );

  // A two-way tie inside one reduction: the central difference in either
  // tied element is (h - 0) / 2h = 1/2, the even split the rule (and
  // PyTorch's amax) uses. Three-way ties are split in thirds, which central
  // differences (still 1/2) do not confirm; they are not asserted.
  it.each(['ReduceMax', 'ReduceMin'])(
    '%s splits the gradient evenly between two tied elements',
    async (op) => {
      const model = singleNodeModel(
        op,
        [{ name: 'X', shape: [2, 3] }],
        { axes: ints([1]), keepdims: int(0) },
        { opset: 13 },
      );
      const tied =
        op === 'ReduceMax'
          ? [0.5, 0.5, -0.25, 0.125, 0.875, 0.375]
          : [-0.5, -0.5, 0.25, 0.125, -0.875, 0.375];
      await expectGradcheck(model, {
        wrt: ['X'],
        score: 'probability',
        inputs: { X: Float32Array.from(tied) },
      });
    },
  );

  it('refuses a run-time axes input with UNSUPPORTED_OPERATOR_ATTRIBUTE', async () => {
    const model = singleNodeModel(
      'ReduceSum',
      [X, { name: 'AXES', shape: [1], type: 7 }],
      {},
      { opset: 13 },
    );
    await expect(
      expectGradcheck(model, {
        wrt: ['X'],
        score: 'probability',
        inputs: { AXES: BigInt64Array.of(1n) },
      }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_OPERATOR_ATTRIBUTE',
      message: expect.stringContaining(
        'input 1 (axes) must be a constant (an initializer or a Constant output)',
      ),
    });
  });
});
