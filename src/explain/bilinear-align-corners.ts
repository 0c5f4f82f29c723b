import {
  axisSamples,
  checkGridSize,
  checkMapSize,
  sampleBilinear,
} from '../imaging/bilinear-sampler';

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
  checkMapSize(map, width, height);
  checkGridSize('output size', outWidth, outHeight);

  const scale = (size: number, out: number): number => (out > 1 ? (size - 1) / (out - 1) : 0);
  const sx = scale(width, outWidth);
  const sy = scale(height, outHeight);
  const cols = axisSamples(outWidth, width, (x) => x * sx);
  const rows = axisSamples(outHeight, height, (y) => y * sy);
  return sampleBilinear(map, width, cols, rows);
}
