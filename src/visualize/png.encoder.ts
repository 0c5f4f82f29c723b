import sharp from 'sharp';

import type { RgbImage } from './rgb-image';
import { labelsSvg, type SvgLabel } from './svg-label';

/** PNG of an RGB raster with its labels drawn as SVG text (rendered by librsvg inside sharp). */
export async function encodeLabelledPng(
  image: RgbImage,
  labels: readonly SvgLabel[] = [],
): Promise<Buffer> {
  const raster = sharp(
    Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    {
      raw: { width: image.width, height: image.height, channels: 3 },
    },
  );

  if (labels.length === 0) {
    return raster.png().toBuffer();
  }
  const overlay = Buffer.from(labelsSvg(image.width, image.height, labels));
  return raster
    .composite([{ input: overlay, top: 0, left: 0 }])
    .png()
    .toBuffer();
}
