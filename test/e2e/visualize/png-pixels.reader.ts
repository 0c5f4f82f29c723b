import sharp from 'sharp';

/** A decoded PNG as interleaved RGB bytes (an alpha channel, if any, dropped). */
export interface RgbPixels {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface Region {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export async function readPngPixels(png: Buffer): Promise<RgbPixels> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The [r, g, b] of pixel (x, y). */
export function pixel(image: RgbPixels, x: number, y: number): [number, number, number] {
  const i = 3 * (y * image.width + x);
  return [image.data[i], image.data[i + 1], image.data[i + 2]];
}

/** Pixels of a region whose mean of r, g, b is below 128: drawn glyphs on a white background. */
export function darkPixels(image: RgbPixels, region: Region): number {
  let count = 0;
  for (let y = region.top; y < region.top + region.height; y++) {
    for (let x = region.left; x < region.left + region.width; x++) {
      const [r, g, b] = pixel(image, x, y);
      count += (r + g + b) / 3 < 128 ? 1 : 0;
    }
  }
  return count;
}
