import { planResize } from '../../../src/imaging/input-geometry';
import { mapToImage } from '../../../src/imaging/map-to-image';
import { resizeBilinear } from '../../../src/imaging/resize-bilinear';

/** A map whose value at (x, y) is fx(x) + fy(y). */
function ramp(
  width: number,
  height: number,
  fx: (x: number) => number,
  fy: (y: number) => number,
): Float32Array {
  const map = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      map[y * width + x] = fx(x) + fy(y);
    }
  }
  return map;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

describe('mapToImage', () => {
  it('gives a 500x334 image a 500x334 map with corners in place (no transpose)', () => {
    const { geometry } = planResize(500, 334, { width: 224, height: 224, resize: 'stretch' });
    const map = new Float32Array([0, 1, 2, 3]); // top-left 0, top-right 1, bottom-left 2

    const out = mapToImage(map, 2, 2, geometry, 500, 334);

    expect(out).toHaveLength(500 * 334);
    expect(out[0]).toBe(0);
    expect(out[499]).toBe(1);
    expect(out[333 * 500]).toBe(2);
    expect(out[333 * 500 + 499]).toBe(3);
  });

  it('equals a direct half-pixel resize for stretch', () => {
    const { geometry } = planResize(50, 30, { width: 16, height: 16, resize: 'stretch' });
    const map = ramp(
      7,
      7,
      (x) => x * x,
      (y) => 10 * y,
    );

    const out = mapToImage(map, 7, 7, geometry, 50, 30);

    const direct = resizeBilinear(map, 7, 7, 50, 30);
    Array.from(out).forEach((v, i) => expect(v).toBeCloseTo(direct[i], 4));
  });

  it('skips the letterbox padding: image row y reads input row 37 + (y + 0.5) * 150 / 334', () => {
    const { geometry } = planResize(500, 334, { width: 224, height: 224, resize: 'letterbox' });
    // the map's value is the input row (and, separately, the input column / 1000)
    const map = ramp(
      224,
      224,
      (x) => x / 1000,
      (y) => y,
    );

    const out = mapToImage(map, 224, 224, geometry, 500, 334);

    for (const [x, y] of [
      [0, 0],
      [250, 100],
      [499, 333],
      [17, 200],
    ]) {
      const row = 37 + ((y + 0.5) * 150) / 334 - 0.5;
      const col = clamp(((x + 0.5) * 224) / 500 - 0.5, 0, 223);
      expect(out[y * 500 + x]).toBeCloseTo(row + col / 1000, 3);
    }
  });

  it('places a layer grid over the letterboxed input before undoing the padding', () => {
    const { geometry } = planResize(40, 20, { width: 8, height: 8, resize: 'letterbox' });
    // a 2 x 2 grid over the 8 x 8 input: top half 1, bottom half 5; the picture occupies
    // input rows 2..6, so image row y is input row 2 + (y + 0.5) * 4 / 20, grid row that / 4 - 0.5
    const out = mapToImage(new Float32Array([1, 1, 5, 5]), 2, 2, geometry, 40, 20);

    for (const y of [0, 9, 19]) {
      const gridRow = clamp((2 + ((y + 0.5) * 4) / 20) / 4 - 0.5, 0, 1);
      expect(out[y * 40 + 3]).toBeCloseTo(1 + 4 * gridRow, 5);
    }
  });

  it('writes 0 where a center crop cut the image off', () => {
    const { geometry } = planResize(40, 20, { width: 8, height: 8, resize: 'center-crop' });

    const out = mapToImage(new Float32Array(64).fill(1), 8, 8, geometry, 40, 20);

    const row = Array.from(out.subarray(5 * 40, 6 * 40));
    expect(row.slice(0, 10)).toEqual(new Array(10).fill(0));
    expect(row.slice(10, 30)).toEqual(new Array(20).fill(1));
    expect(row.slice(30)).toEqual(new Array(10).fill(0));
  });

  it('renders at another size than the original, keeping proportions', () => {
    const { geometry } = planResize(500, 334, { width: 224, height: 224, resize: 'stretch' });

    const out = mapToImage(new Float32Array([0, 1, 2, 3]), 2, 2, geometry, 250, 167);

    expect(out).toHaveLength(250 * 167);
    expect(out[249]).toBe(1);
  });
});
