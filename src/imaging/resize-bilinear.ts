import { axisSamples, checkGridSize, checkMapSize, sampleBilinear } from './bilinear-sampler';

/**
 * Bilinear resize with half-pixel centres, src = (dst + 0.5) * in / out - 0.5, clamped at
 * the edges: the same numbers as cv2.resize(INTER_LINEAR) on float maps and
 * torch.nn.functional.interpolate(mode='bilinear', align_corners=False). No antialiasing.
 */
export function resizeBilinear(
  map: Float32Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  checkMapSize(map, width, height);
  checkGridSize('output size', outWidth, outHeight);

  const cols = axisSamples(outWidth, width, (x) => ((x + 0.5) * width) / outWidth - 0.5);
  const rows = axisSamples(outHeight, height, (y) => ((y + 0.5) * height) / outHeight - 0.5);
  return sampleBilinear(map, width, cols, rows);
}
