interface AxisTaps {
  readonly low: Int32Array;
  readonly high: Int32Array;
  readonly weight: Float32Array;
}

/** Source taps along one axis: half-pixel centres (cv2.resize, align_corners=False) or align_corners=True. */
function axisTaps(source: number, target: number, alignCorners: boolean): AxisTaps {
  const low = new Int32Array(target);
  const high = new Int32Array(target);
  const weight = new Float32Array(target);

  for (let i = 0; i < target; i += 1) {
    const position = alignCorners
      ? target > 1
        ? (i * (source - 1)) / (target - 1)
        : 0
      : Math.max(0, ((i + 0.5) * source) / target - 0.5);
    const l = Math.min(Math.floor(position), source - 1);
    low[i] = l;
    high[i] = Math.min(l + 1, source - 1);
    weight[i] = position - l;
  }
  return { low, high, weight };
}

/**
 * Bilinear resize of one row-major plane; half-pixel centres by default
 * (torch interpolate align_corners=False, cv2.resize), align_corners=True on request.
 */
export function resizeBilinearPlane(
  source: ArrayLike<number>,
  sourceHeight: number,
  sourceWidth: number,
  targetHeight: number,
  targetWidth: number,
  alignCorners = false,
  out: Float32Array = new Float32Array(targetHeight * targetWidth),
): Float32Array {
  const rows = axisTaps(sourceHeight, targetHeight, alignCorners);
  const cols = axisTaps(sourceWidth, targetWidth, alignCorners);

  for (let y = 0; y < targetHeight; y += 1) {
    const top = (rows.low[y] ?? 0) * sourceWidth;
    const bottom = (rows.high[y] ?? 0) * sourceWidth;
    const wy = rows.weight[y] ?? 0;
    const offset = y * targetWidth;
    for (let x = 0; x < targetWidth; x += 1) {
      const l = cols.low[x] ?? 0;
      const h = cols.high[x] ?? 0;
      const wx = cols.weight[x] ?? 0;
      const upper = (source[top + l] ?? 0) + wx * ((source[top + h] ?? 0) - (source[top + l] ?? 0));
      const lower =
        (source[bottom + l] ?? 0) + wx * ((source[bottom + h] ?? 0) - (source[bottom + l] ?? 0));
      out[offset + x] = upper + wy * (lower - upper);
    }
  }
  return out;
}
