import { ints, type BackwardBuilder } from './gradient-rule';
import { typedConstant, sizeOf } from './rule-values.helper';

/**
 * Contracts axis `axis` of `value` (static shape `shape`) with a matrix
 * tensor `weights` of shape [shape[axis], columns]:
 * out[..., j, ...] = sum_k value[..., k, ...] * weights[k, j].
 */
export function contractAxis(
  b: BackwardBuilder,
  value: string,
  shape: readonly number[],
  axis: number,
  weights: string,
  columns: number,
): string {
  const rows = shape[axis] ?? 0;
  const before = sizeOf(shape.slice(0, axis));
  const after = sizeOf(shape.slice(axis + 1));
  const outShape = shape.map((dim, index) => (index === axis ? columns : dim));

  if (after === 1) {
    const flat = b.op('Reshape', [value, b.int64s([before, rows])]);
    return b.op('Reshape', [b.op('MatMul', [flat, weights]), b.int64s(outShape)]);
  }

  const blocks = b.op('Reshape', [value, b.int64s([before, rows, after])]);
  const rowsLast = b.op('Transpose', [blocks], { perm: ints([0, 2, 1]) });
  const mapped = b.op('MatMul', [rowsLast, weights]);
  const restored = b.op('Transpose', [mapped], { perm: ints([0, 2, 1]) });
  return b.op('Reshape', [restored, b.int64s(outShape)]);
}

/**
 * contractAxis by a constant matrix [shape[axis]][columns] of numbers, typed
 * like the forward value `like`. The adjoints of Resize, strided Slice and
 * Pad are such maps; a MatMul by a constant runs exactly on every execution
 * provider. `columns` is given, not read off the matrix, because an empty
 * selection (a Slice with start == end) has no rows to read it from.
 */
export function mapAlongAxis(
  b: BackwardBuilder,
  value: string,
  shape: readonly number[],
  axis: number,
  matrix: readonly (readonly number[])[],
  columns: number,
  like: string,
): string {
  const rows = shape[axis] ?? 0;
  const weights = typedConstant(b, matrix.flat(), like, [rows, columns]);
  return contractAxis(b, value, shape, axis, weights, columns);
}

/** The 0/1 matrix of a gather along one axis: matrix[k][source[k]] = 1 (source index -1 reads nothing). */
export function selectionMatrix(source: readonly number[], inputLength: number): number[][] {
  return source.map((from) => {
    const row = new Array<number>(inputLength).fill(0);
    if (from >= 0) {
      row[from] = 1;
    }
    return row;
  });
}

/** Slice in the form the opset takes: attributes before 10, inputs from 10. */
export function sliceAxes(
  b: BackwardBuilder,
  value: string,
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[],
): string {
  if (b.opset < 10) {
    return b.op('Slice', [value], { starts: ints(starts), ends: ints(ends), axes: ints(axes) });
  }
  return b.op('Slice', [value, b.int64s(starts), b.int64s(ends), b.int64s(axes)]);
}

/** Zero padding in the form the opset takes: `paddings` at 1, `pads` attribute to 10, input from 11. */
export function padWithZeros(b: BackwardBuilder, value: string, pads: readonly number[]): string {
  if (b.opset < 2) {
    return b.op('Pad', [value], { paddings: ints(pads) });
  }
  if (b.opset < 11) {
    return b.op('Pad', [value], { pads: ints(pads) });
  }
  return b.op('Pad', [value, b.int64s(pads)]);
}
