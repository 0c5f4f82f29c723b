/**
 * Pure index arithmetic shared by the Slice and Pad gradients: which input
 * position each output position reads along one axis (ONNX semantics).
 */

/** The input positions an ONNX Slice reads along one axis of length `length` (clamping as the spec says). */
export function slicePositions(start: number, end: number, step: number, length: number): number[] {
  const from = start < 0 ? start + length : start;
  const to = end < 0 ? end + length : end;
  const positions: number[] = [];

  if (step > 0) {
    const first = Math.min(Math.max(from, 0), length);
    const last = Math.min(Math.max(to, 0), length);
    for (let position = first; position < last; position += step) {
      positions.push(position);
    }
    return positions;
  }

  const first = Math.min(Math.max(from, 0), length - 1);
  const last = Math.min(Math.max(to, -1), length - 1);
  for (let position = first; position > last; position += step) {
    positions.push(position);
  }
  return positions;
}

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

/** The input position output position `index` of a padded axis copies, or -1 for a constant fill. */
export function padSource(index: number, begin: number, length: number, mode: PadMode): number {
  let position = index - begin;
  if (position >= 0 && position < length) {
    return position;
  }

  switch (mode) {
    case 'constant':
      return -1;
    case 'edge':
      return Math.min(Math.max(position, 0), length - 1);
    case 'wrap':
      return ((position % length) + length) % length;
    case 'reflect':
      if (length === 1) {
        return 0;
      }
      while (position < 0 || position >= length) {
        position = position < 0 ? -position : 2 * (length - 1) - position;
      }
      return position;
  }
}
