import { weightHistogram } from '../../../src/visualize/weight-histogram';

describe('weightHistogram', () => {
  it('bins like numpy.histogram, the last bin closed', () => {
    // numpy.histogram([0, 1, 2, 3, 4], bins=4) -> counts [1, 1, 1, 2], edges [0, 1, 2, 3, 4]
    const result = weightHistogram(Float32Array.from([0, 1, 2, 3, 4]), 4);

    expect(result.binEdges).toEqual([0, 1, 2, 3, 4]);
    expect(result.counts).toEqual([1, 1, 1, 2]);
  });

  it('reports count, min, max, mean and the population standard deviation', () => {
    // mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, variance 32/8 = 4, std 2
    const result = weightHistogram([2, 4, 4, 4, 5, 5, 7, 9], 3);

    expect(result).toMatchObject({ count: 8, min: 2, max: 9, mean: 5, std: 2 });
    expect(result.counts.reduce((a, b) => a + b, 0)).toBe(8);
  });

  it('gives a constant tensor the range v - 0.5 .. v + 0.5, as numpy does', () => {
    const result = weightHistogram([2, 2, 2], 2);

    expect(result.binEdges).toEqual([1.5, 2, 2.5]);
    expect(result.counts).toEqual([0, 3]);
    expect(result.std).toBe(0);
  });

  it('refuses an empty tensor', () => {
    expect(() => weightHistogram([], 4)).toThrow('weightHistogram: the tensor has no values');
  });
});
