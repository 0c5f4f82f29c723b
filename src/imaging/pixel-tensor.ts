import type { InputSpec, Normalization } from './input-spec';
import { resolveNormalization } from './input-spec';
import { luma601 } from './luminance';

/** Interleaved RGB pixels of exactly spec.width x spec.height (0..255 for scale 1/255). */
export type RgbPixels = ArrayLike<number>;

export function inputDims(spec: InputSpec, batch: number): number[] {
  return spec.layout === 'NCHW'
    ? [batch, spec.channels, spec.height, spec.width]
    : [batch, spec.height, spec.width, spec.channels];
}

/** Source RGB channel feeding each tensor channel. */
const sourceChannels = (spec: InputSpec): readonly number[] =>
  spec.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];

function tensorValue(
  pixels: RgbPixels,
  p: number,
  c: number,
  spec: InputSpec,
  order: readonly number[],
): number {
  if (spec.channels === 1) {
    return luma601(pixels[3 * p], pixels[3 * p + 1], pixels[3 * p + 2]);
  }
  return pixels[3 * p + order[c]];
}

/**
 * Writes one image into batch slot `index` of `out`:
 * value = (pixel * scale - mean[c]) / std[c], in the spec's layout and channel order.
 */
export function writePixelTensor(
  pixels: RgbPixels,
  spec: InputSpec,
  norm: Normalization,
  out: Float32Array,
  index: number,
): void {
  const { width, height, channels } = spec;
  const plane = width * height;
  if (pixels.length !== plane * 3) {
    throw new RangeError(
      `pixels must hold ${width} x ${height} x 3 values, but hold ${pixels.length}`,
    );
  }
  const order = sourceChannels(spec);
  const base = index * plane * channels;

  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) {
      const value =
        (tensorValue(pixels, p, c, spec, order) * norm.scale - norm.mean[c]) / norm.std[c];
      const at = spec.layout === 'NCHW' ? c * plane + p : p * channels + c;
      out[base + at] = value;
    }
  }
}

/** One-image tensor straight from already-sized pixels (no resizing); for tests and tools. */
export function tensorFromPixels(
  pixels: RgbPixels,
  spec: InputSpec,
): { tensor: Float32Array; dims: number[] } {
  const norm = resolveNormalization(spec);
  const tensor = new Float32Array(spec.width * spec.height * spec.channels);

  writePixelTensor(pixels, spec, norm, tensor, 0);
  return { tensor, dims: inputDims(spec, 1) };
}
