import { resizeBilinear } from '../../../src/imaging/resize-bilinear';

const f32 = (values: number[]): Float32Array => new Float32Array(values);

describe('resizeBilinear', () => {
  it('upsamples 2x2 to 4x4 like interpolate(align_corners=False), by hand', () => {
    // src = (dst + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped neighbour)
    const out = resizeBilinear(f32([0, 1, 2, 3]), 2, 2, 4, 4);

    expect(Array.from(out)).toEqual([
      0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3,
    ]);
  });

  it('downsamples 4 -> 2 columns by averaging pairs (src = 0.5 and 2.5)', () => {
    const out = resizeBilinear(f32([0, 2, 4, 10]), 4, 1, 2, 1);

    expect(Array.from(out)).toEqual([1, 7]);
  });

  it('keeps width and height apart for non-square maps', () => {
    // a 3 x 1 row ramp to 5 x 2: every output row is the same ramp
    const out = resizeBilinear(f32([0, 3, 6]), 3, 1, 5, 2);

    // src x = (x + 0.5) * 3/5 - 0.5 = -0.2, 0.4, 1, 1.6, 2.2 -> 0, 1.2, 3, 4.8, 6 (edges clamped)
    const row = [0, 1.2, 3, 4.8, 6];
    Array.from(out).forEach((v, i) => expect(v).toBeCloseTo(row[i % 5], 5));
    expect(out).toHaveLength(10);
  });

  it('is the identity at the same size', () => {
    const map = f32([1, 2, 3, 4, 5, 6]);

    expect(Array.from(resizeBilinear(map, 3, 2, 3, 2))).toEqual(Array.from(map));
  });

  it('refuses a map whose length disagrees with its size', () => {
    expect(() => resizeBilinear(f32([1, 2, 3]), 2, 2, 4, 4)).toThrow(
      'map must hold 2 x 2 = 4 values, but holds 3',
    );
  });
});
