import { maxAbsNormalize, minMaxNormalize, relu } from '../../../src/imaging/map-normalize';

const f32 = (values: number[]): Float32Array => new Float32Array(values);

describe('relu', () => {
  it('keeps positives and zeroes negatives and NaN', () => {
    expect(Array.from(relu(f32([-2, 0, 3, NaN])))).toEqual([0, 0, 3, 0]);
  });
});

describe('minMaxNormalize', () => {
  it('maps min to 0 and max to 1: [1, 3, 5] -> [0, 0.5, 1]', () => {
    expect(Array.from(minMaxNormalize(f32([1, 3, 5])))).toEqual([0, 0.5, 1]);
  });

  it('handles a map crossing zero: [-1, 0, 3] -> [0, 0.25, 1]', () => {
    expect(Array.from(minMaxNormalize(f32([-1, 0, 3])))).toEqual([0, 0.25, 1]);
  });

  it('turns a constant map into finite zeros, not NaN', () => {
    expect(Array.from(minMaxNormalize(f32([2, 2, 2])))).toEqual([0, 0, 0]);
  });

  it('turns an all-negative map into zeros (no positive evidence)', () => {
    expect(Array.from(minMaxNormalize(f32([-3, -2, -1])))).toEqual([0, 0, 0]);
  });

  it('ignores non-finite elements and writes 0 there', () => {
    expect(Array.from(minMaxNormalize(f32([0, NaN, 4, Infinity])))).toEqual([0, 0, 1, 0]);
  });

  it('accepts an empty map', () => {
    expect(minMaxNormalize(f32([]))).toHaveLength(0);
  });
});

describe('maxAbsNormalize', () => {
  it('divides by the largest magnitude, keeping zero at zero', () => {
    expect(Array.from(maxAbsNormalize(f32([-4, 0, 2])))).toEqual([-1, 0, 0.5]);
  });

  it('keeps an all-zero map at zero', () => {
    expect(Array.from(maxAbsNormalize(f32([0, 0])))).toEqual([0, 0]);
  });
});
