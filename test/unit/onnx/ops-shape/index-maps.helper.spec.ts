import { padSource, slicePositions } from '../../../../src/onnx/autodiff/index-maps.helper';

const BIG = Number.MAX_SAFE_INTEGER;

describe('slicePositions (ONNX Slice along one axis of length 5)', () => {
  it.each([
    ['unit step', 1, 3, 1, [1, 2]],
    ['negative start', -2, 5, 1, [3, 4]],
    ['end past the axis', 1, BIG, 2, [1, 3]],
    ['start before the axis', -BIG, 2, 1, [0, 1]],
    ['full reversal', -1, -BIG, -1, [4, 3, 2, 1, 0]],
    ['step -2 from 3 down to 0 excluded', 3, 0, -2, [3, 1]],
    ['empty (start past end)', 4, 2, 1, []],
  ])('%s: [%p:%p:%p] reads %p', (_label, start, end, step, expected) => {
    expect(slicePositions(start, end, step, 5)).toEqual(expected);
  });
});

describe('padSource (axis of length 3, 2 padded before)', () => {
  const sources = (mode: Parameters<typeof padSource>[3], total: number): number[] =>
    Array.from({ length: total }, (_, index) => padSource(index, 2, 3, mode));

  // Input [a, b, c] padded by 2 before and 2 after, as numpy.pad does:
  it('constant mode reads nothing (-1) in the border', () => {
    expect(sources('constant', 7)).toEqual([-1, -1, 0, 1, 2, -1, -1]);
  });

  it('edge mode repeats the end elements: a a a b c c c', () => {
    expect(sources('edge', 7)).toEqual([0, 0, 0, 1, 2, 2, 2]);
  });

  it('reflect mode mirrors without the edge: c b a b c b a', () => {
    expect(sources('reflect', 7)).toEqual([2, 1, 0, 1, 2, 1, 0]);
  });

  it('wrap mode repeats periodically: b c a b c a b', () => {
    expect(sources('wrap', 7)).toEqual([1, 2, 0, 1, 2, 0, 1]);
  });
});
