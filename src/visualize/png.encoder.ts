import sharp from 'sharp';

import { gridTextSpec, type GridText } from './grid-text.chart';
import type { RgbImage } from './rgb-image';
import { renderVegaLiteSvg } from './vega-chart.renderer';

/**
 * PNG of an RGB raster with its text drawn over it: the text is a Vega-Lite
 * chart rendered to SVG by Vega, rasterised and composited by sharp, so the
 * raster's pixels outside the glyphs stay exactly as they were (an RGB PNG:
 * the overlay's alpha is dropped after compositing).
 */
export async function encodeLabelledPng(
  image: RgbImage,
  texts: readonly GridText[] = [],
): Promise<Buffer> {
  const raster = sharp(
    Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    {
      raw: { width: image.width, height: image.height, channels: 3 },
    },
  );

  if (texts.length === 0) {
    return raster.png().toBuffer();
  }
  const overlay = await renderVegaLiteSvg(gridTextSpec(image.width, image.height, texts));
  return raster
    .composite([{ input: Buffer.from(overlay), top: 0, left: 0 }])
    .removeAlpha()
    .png()
    .toBuffer();
}
