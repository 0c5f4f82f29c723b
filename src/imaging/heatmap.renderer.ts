import sharp from 'sharp';

import { checkMapSize } from './bilinear-sampler';
import { colorize } from './colormap.apply';
import type { AnyColormapName } from './colormap.names';
import { DEFAULT_COLORMAP } from './colormap.names';
import type { DecodedImage } from './decoded-image';
import { blendRgb, DEFAULT_OVERLAY_ALPHA } from './overlay.blend';

/** Encodes interleaved 8-bit RGB as PNG. */
export async function encodeRgbPng(
  rgb: Uint8Array,
  width: number,
  height: number,
): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/**
 * The map alone as a PNG: values in [0, 1] for sequential colormaps, [-1, 1] for
 * diverging ones (normalise first with minMaxNormalize or maxAbsNormalize).
 */
export async function renderHeatmapPng(
  map: Float32Array,
  width: number,
  height: number,
  colormap: AnyColormapName = DEFAULT_COLORMAP,
): Promise<Buffer> {
  checkMapSize(map, width, height);

  return encodeRgbPng(colorize(map, colormap), width, height);
}

/**
 * The heatmap blended on the upright original: (1 - alpha) * image + alpha * colour(map);
 * `map` must already be at the image's size (see mapToImage).
 */
export async function renderOverlayPng(
  image: DecodedImage,
  map: Float32Array,
  colormap: AnyColormapName = DEFAULT_COLORMAP,
  alpha = DEFAULT_OVERLAY_ALPHA,
): Promise<Buffer> {
  checkMapSize(map, image.width, image.height);

  const blended = blendRgb(image.data, colorize(map, colormap), alpha);
  return encodeRgbPng(blended, image.width, image.height);
}
