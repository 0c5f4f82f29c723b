/** Where one output row or column samples its source: two neighbours and the weight of the second. */
export interface AxisSample {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly weight: Float32Array;
}

/**
 * Source positions for `count` outputs, output i at source coordinate `position(i)` in
 * pixel-centre units (pixel j's centre is j); clamped to the edge like cv2's replicated
 * border.
 */
export function axisSamples(
  count: number,
  size: number,
  position: (i: number) => number,
): AxisSample {
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const weight = new Float32Array(count);

  for (let i = 0; i < count; i++) {
    const src = Math.min(Math.max(position(i), 0), size - 1);
    const j = Math.floor(src);
    lo[i] = j;
    hi[i] = Math.min(j + 1, size - 1);
    weight[i] = src - j;
  }
  return { lo, hi, weight };
}

/** Separable bilinear sampling of a row-major map at the given column and row samples. */
export function sampleBilinear(
  map: Float32Array,
  width: number,
  cols: AxisSample,
  rows: AxisSample,
): Float32Array {
  const outW = cols.lo.length;
  const outH = rows.lo.length;
  const out = new Float32Array(outW * outH);

  for (let y = 0; y < outH; y++) {
    const top = rows.lo[y] * width;
    const bottom = rows.hi[y] * width;
    const wy = rows.weight[y];
    for (let x = 0; x < outW; x++) {
      const wx = cols.weight[x];
      const upper = map[top + cols.lo[x]] * (1 - wx) + map[top + cols.hi[x]] * wx;
      const lower = map[bottom + cols.lo[x]] * (1 - wx) + map[bottom + cols.hi[x]] * wx;
      out[y * outW + x] = upper * (1 - wy) + lower * wy;
    }
  }
  return out;
}

export function checkGridSize(name: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${name} must be positive integers, but is ${width} x ${height}`);
  }
}

export function checkMapSize(map: Float32Array, width: number, height: number): void {
  checkGridSize('map size', width, height);
  if (map.length !== width * height) {
    throw new RangeError(
      `map must hold ${width} x ${height} = ${width * height} values, but holds ${map.length}`,
    );
  }
}
