import sharp from 'sharp';

import { gridTextSpec, type GridText } from '../../../src/visualize/grid-text.chart';
import { encodeLabelledPng } from '../../../src/visualize/png.encoder';
import type { RgbImage } from '../../../src/visualize/rgb-image';
import { composeGrid } from '../../../src/visualize/tile-grid';
import { renderVegaLiteSvg } from '../../../src/visualize/vega-chart.renderer';

/** A tile whose every pixel differs from its neighbours, so a shifted or resampled copy shows. */
function patternTile(size: number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    data.set([(p * 37) % 256, (p * 91) % 256, (p * 13) % 256], 3 * p);
  }
  return { width: size, height: size, data };
}

async function decoded(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Pixels of a region that differ between two RGB rasters of the same width. */
function differingPixels(
  a: Uint8Array,
  b: Uint8Array,
  width: number,
  region: { left: number; top: number; width: number; height: number },
): number {
  let count = 0;
  for (let y = region.top; y < region.top + region.height; y++) {
    for (let x = region.left; x < region.left + region.width; x++) {
      const i = 3 * (y * width + x);
      if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) {
        count++;
      }
    }
  }
  return count;
}

describe('grid text (a vega-lite text layer over the tiles)', () => {
  const grid = composeGrid([
    {
      title: 'conv <1> & "2"',
      notes: ['first note', 'second note'],
      tiles: [0, 1, 2, 3].map((k) => ({ image: patternTile(40), label: String(k) })),
      labelled: true,
    },
  ]);

  it('renders one Vega text mark per title, note and tile label, with the text escaped', async () => {
    const svg = await renderVegaLiteSvg(
      gridTextSpec(grid.image.width, grid.image.height, grid.labels),
    );

    // title + 2 notes + 4 labels, each a <text> inside Vega's text-mark groups
    const marks = svg.match(/<g class="mark-text role-mark[^"]*"[^>]*>(.*?)<\/g>/g) ?? [];
    const texts = marks.join('').match(/<text /g) ?? [];
    expect(marks).toHaveLength(3);
    expect(texts).toHaveLength(7);
    expect(svg).toContain('conv &lt;1&gt; &amp; "2"');
    expect(svg).toContain(`width="${grid.image.width}" height="${grid.image.height}"`);
  });

  it('places each text at its canvas pixel, unscaled', async () => {
    const texts: GridText[] = [
      { kind: 'title', x: 8, y: 15, text: 'T' },
      { kind: 'label', x: 123.5, y: 61, text: '7' },
    ];
    const svg = await renderVegaLiteSvg(gridTextSpec(300, 200, texts));

    expect(svg).toMatch(/text-anchor="start" transform="translate\(8,15\)"[^>]*font-weight="bold"/);
    expect(svg).toMatch(/text-anchor="middle" transform="translate\(123\.5,61\)"/);
  });

  it('draws glyphs in the label bands and leaves every tile pixel exactly as composed', async () => {
    const labelled = await decoded(await encodeLabelledPng(grid.image, grid.labels));
    const bare = await decoded(await encodeLabelledPng(grid.image, []));
    const { width } = grid.image;

    expect([labelled.width, labelled.height]).toEqual([grid.image.width, grid.image.height]);
    expect(Buffer.from(grid.image.data).equals(bare.data)).toBe(true);
    // 2 columns of 40 px tiles at x = 8 and 52, rows at y = 50 and 108: a 14 px label band, then the tile
    for (const [left, top] of [
      [8, 64],
      [52, 64],
      [8, 122],
      [52, 122],
    ]) {
      const tile = { left, top, width: 40, height: 40 };
      expect(differingPixels(labelled.data, bare.data, width, tile)).toBe(0);
    }
    for (const top of [50, 108]) {
      const band = { left: 8, top, width: 84, height: 14 };
      expect(differingPixels(labelled.data, bare.data, width, band)).toBeGreaterThan(10);
    }
    const title = { left: 8, top: 0, width: 100, height: 18 };
    expect(differingPixels(labelled.data, bare.data, width, title)).toBeGreaterThan(50);
  });
});
