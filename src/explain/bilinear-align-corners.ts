/**
 * Bilinear upsampling with align_corners=True, as torch.nn.UpsamplingBilinear2d
 * (which pytorch-grad-cam's Score-CAM uses): output pixel d samples the input
 * at d * (n - 1) / (out - 1), so the corner pixels of input and output coincide.
 * (The picture resize of src/imaging uses half-pixel centres instead.)
 */
export function resizeBilinearAlignCorners(
  map: Float32Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  if (map.length !== width * height || width < 1 || height < 1) {
    throw new RangeError(
      `resizeBilinearAlignCorners: expected a ${width}x${height} map, got ${map.length} values`,
    );
  }

  const cols = axisSamples(width, outWidth);
  const rows = axisSamples(height, outHeight);
  const out = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y += 1) {
    const { low: y0, high: y1, weight: wy } = rows[y] ?? { low: 0, high: 0, weight: 0 };
    for (let x = 0; x < outWidth; x += 1) {
      const { low: x0, high: x1, weight: wx } = cols[x] ?? { low: 0, high: 0, weight: 0 };
      const top = (map[y0 * width + x0] ?? 0) * (1 - wx) + (map[y0 * width + x1] ?? 0) * wx;
      const bottom = (map[y1 * width + x0] ?? 0) * (1 - wx) + (map[y1 * width + x1] ?? 0) * wx;
      out[y * outWidth + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}

interface AxisSample {
  readonly low: number;
  readonly high: number;
  readonly weight: number;
}

/** For each output index, the two input indices around d * (n - 1) / (out - 1) and the weight of the upper one. */
function axisSamples(size: number, outSize: number): AxisSample[] {
  const scale = outSize > 1 ? (size - 1) / (outSize - 1) : 0;
  return Array.from({ length: outSize }, (_, d) => {
    const source = d * scale;
    const low = Math.min(Math.floor(source), size - 1);
    return { low, high: Math.min(low + 1, size - 1), weight: source - low };
  });
}
