/** Interleaved 8-bit RGB pixels (RGBRGB...), row-major; what every view tile and canvas is made of. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A canvas of one colour. */
export function blankImage(
  width: number,
  height: number,
  rgb: readonly [number, number, number],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    data[3 * p] = rgb[0];
    data[3 * p + 1] = rgb[1];
    data[3 * p + 2] = rgb[2];
  }
  return { width, height, data };
}

/** Copies `tile` into `canvas` with its top-left corner at (x, y); parts outside the canvas are dropped. */
export function blit(canvas: RgbImage, tile: RgbImage, x: number, y: number): void {
  for (let row = 0; row < tile.height; row++) {
    const cy = y + row;
    if (cy < 0 || cy >= canvas.height) {
      continue;
    }
    for (let col = 0; col < tile.width; col++) {
      const cx = x + col;
      if (cx < 0 || cx >= canvas.width) {
        continue;
      }
      const from = 3 * (row * tile.width + col);
      const to = 3 * (cy * canvas.width + cx);
      canvas.data[to] = tile.data[from] ?? 0;
      canvas.data[to + 1] = tile.data[from + 1] ?? 0;
      canvas.data[to + 2] = tile.data[from + 2] ?? 0;
    }
  }
}

/** Nearest-neighbour upscaling by an integer factor, so that every source pixel stays a visible square. */
export function upscaleNearest(image: RgbImage, factor: number): RgbImage {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new RangeError(`upscaleNearest: factor must be a positive integer, got ${factor}`);
  }
  const width = image.width * factor;
  const height = image.height * factor;
  const data = new Uint8Array(width * height * 3);

  for (let y = 0; y < height; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < width; x++) {
      const from = 3 * (sy * image.width + Math.floor(x / factor));
      const to = 3 * (y * width + x);
      data[to] = image.data[from] ?? 0;
      data[to + 1] = image.data[from + 1] ?? 0;
      data[to + 2] = image.data[from + 2] ?? 0;
    }
  }
  return { width, height, data };
}
