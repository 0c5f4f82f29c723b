import { formatIndexRuns, parseIndexRuns } from '../../../src/visualize/index-runs';

describe('formatIndexRuns', () => {
  it('writes runs of consecutive ascending indices as first-last, in the given order', () => {
    expect(formatIndexRuns([0, 1, 2, 7, 5, 6, 9])).toBe('0-2,7,5-6,9');
  });

  it('writes a descending sequence one by one, and nothing for no index', () => {
    expect(formatIndexRuns([3, 2, 1])).toBe('3,2,1');
    expect(formatIndexRuns([])).toBe('');
  });
});

describe('parseIndexRuns', () => {
  it('reads back what formatIndexRuns wrote', () => {
    const indices = [4, 5, 6, 0, 13, 12, 11, 20, 21];

    expect(parseIndexRuns(formatIndexRuns(indices))).toEqual(indices);
    expect(parseIndexRuns('')).toEqual([]);
  });
});
