import sharp from 'sharp';

import { DomainError } from '../../../src/errors/domain-error';
import type { DecodedImage } from '../../../src/imaging/decoded-image';
import { renderHeatmapPng, renderOverlayPng } from '../../../src/imaging/heatmap.renderer';

async function pixelsOf(
  png: Buffer,
): Promise<{ data: number[]; width: number; height: number; format: string }> {
  const meta = await sharp(png).metadata();
  const data = await sharp(png).raw().toBuffer();
  return { data: Array.from(data), width: meta.width, height: meta.height, format: meta.format };
}

/** A 5 x 3 image of one colour. */
function flatImage(colour: [number, number, number]): DecodedImage {
  const data = new Uint8Array(5 * 3 * 3);
  for (let i = 0; i < 15; i++) {
    data.set(colour, 3 * i);
  }
  return {
    data,
    width: 5,
    height: 3,
    channels: 3,
    format: 'png',
    sourceChannels: 3,
    hadAlpha: false,
  };
}

describe('renderHeatmapPng', () => {
  it('draws a 5 x 3 map as a 5 x 3 PNG, gray(0.5) = table entry 128 = 128', async () => {
    const map = new Float32Array(15).fill(0.5);
    map[4] = 1; // top-right corner

    const png = await pixelsOf(await renderHeatmapPng(map, 5, 3, 'gray'));

    expect([png.format, png.width, png.height]).toEqual(['png', 5, 3]);
    expect(png.data.slice(0, 3)).toEqual([128, 128, 128]);
    expect(png.data.slice(12, 15)).toEqual([255, 255, 255]);
  });

  it('uses jet by default: 0 is dark blue', async () => {
    const png = await pixelsOf(await renderHeatmapPng(new Float32Array(1), 1, 1));

    expect(png.data).toEqual([0, 0, 128]);
  });

  it('refuses a map of the wrong size', async () => {
    await expect(renderHeatmapPng(new Float32Array(4), 5, 3)).rejects.toThrow(
      'map must hold 5 x 3 = 15 values',
    );
  });
});

describe('renderOverlayPng', () => {
  it('blends (1 - alpha) * image + alpha * heat at the image size', async () => {
    const map = new Float32Array(15).fill(1); // gray(1) is white

    const png = await pixelsOf(await renderOverlayPng(flatImage([100, 0, 200]), map, 'gray'));

    // 0.5 * (100, 0, 200) + 0.5 * 255 = (177.5, 127.5, 227.5), rounded half up
    expect([png.width, png.height]).toEqual([5, 3]);
    expect(png.data.slice(0, 3)).toEqual([178, 128, 228]);
  });

  it('honours alpha 0 (image only) and 1 (heat only)', async () => {
    const map = new Float32Array(15);

    const none = await pixelsOf(await renderOverlayPng(flatImage([10, 20, 30]), map, 'gray', 0));
    const full = await pixelsOf(await renderOverlayPng(flatImage([10, 20, 30]), map, 'bwr', 1));

    expect(none.data.slice(0, 3)).toEqual([10, 20, 30]);
    expect(full.data.slice(0, 3)).toEqual([255, 255, 255]); // bwr centre
  });

  it('refuses alpha outside [0, 1] with INVALID_PARAMETER', async () => {
    const error: unknown = await renderOverlayPng(
      flatImage([0, 0, 0]),
      new Float32Array(15),
      'jet',
      1.5,
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INVALID_PARAMETER');
    expect((error as DomainError).message).toBe(
      'parameter "alpha" must be a number from 0 to 1; received 1.5',
    );
  });

  it('refuses a map not at the image size', async () => {
    await expect(
      renderOverlayPng(flatImage([0, 0, 0]), new Float32Array(9), 'jet'),
    ).rejects.toThrow('map must hold 5 x 3 = 15 values, but holds 9');
  });
});
