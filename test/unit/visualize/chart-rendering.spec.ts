import sharp from 'sharp';

import {
  cardSize,
  displaySize,
  renderPredictionCard,
} from '../../../src/visualize/prediction.card';
import { renderVegaLite } from '../../../src/visualize/vega-chart.renderer';

/** Pixels darker than mid grey in a region of a PNG: drawn text or marks. */
async function darkPixels(
  png: Buffer,
  region: { left: number; top: number; width: number; height: number },
): Promise<number> {
  const { data } = await sharp(png)
    .extract(region)
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return data.filter((v) => v < 128).length;
}

describe('chart rendering (vega-lite -> SVG -> sharp)', () => {
  it('renders a fit-sized chart at exactly its width and height, text included', async () => {
    const chart = await renderVegaLite({
      width: 300,
      height: 120,
      autosize: { type: 'fit', contains: 'padding' },
      background: 'white',
      title: { text: 'MMMMMMMM', anchor: 'start', fontSize: 20 },
      data: { values: [{ x: 1 }] },
      mark: 'point',
      encoding: { x: { field: 'x', type: 'quantitative' } },
    });

    expect([chart.width, chart.height]).toEqual([300, 120]);
    const meta = await sharp(chart.png).metadata();
    expect([meta.width, meta.height]).toEqual([300, 120]);
    // The title's glyphs: a font was found and librsvg drew them.
    expect(
      await darkPixels(chart.png, { left: 0, top: 0, width: 150, height: 24 }),
    ).toBeGreaterThan(50);
  });

  it('sizes the prediction image: integer nearest enlargement inside 256 px, or a shrink to fit', () => {
    expect(displaySize(28, 28)).toEqual({ width: 252, height: 252, kernel: 'nearest' });
    expect(displaySize(1000, 500)).toEqual({ width: 256, height: 128, kernel: 'lanczos3' });
    // 128x64 enlarged x2 to 256x128: 3*12 + 256 + 400 wide; 2*12 + max(128, 256) high for 5 classes (80 + 5*26 = 210 < 256)
    expect(cardSize(128, 64, 5)).toEqual({ width: 692, height: 280 });
    expect(cardSize(128, 64, 20)).toEqual({ width: 692, height: 24 + 80 + 20 * 26 });
  });

  it('draws the image upright at its display size beside the bars', async () => {
    const image = { width: 20, height: 10, data: new Uint8Array(20 * 10 * 3) };
    const card = await renderPredictionCard({
      image,
      top: [
        { label: 'cat', probability: 0.75 },
        { label: 'dog', probability: 0.25 },
      ],
      subtitle: 'test',
    });

    expect([card.width, card.height]).toEqual([3 * 12 + 240 + 400, 2 * 12 + 256]);
    const meta = await sharp(card.png).metadata();
    expect([meta.width, meta.height]).toEqual([card.width, card.height]);
    // the black 20x10 image enlarged x12 to 240x120 sits at (12, 12)
    expect(await darkPixels(card.png, { left: 12, top: 12, width: 240, height: 120 })).toBe(
      240 * 120,
    );
    expect(await darkPixels(card.png, { left: 12, top: 133, width: 240, height: 20 })).toBe(0);
  });

  /** Pixels of the bars' colour (#4c78a8) in a PNG. */
  async function barPixels(png: Buffer): Promise<number> {
    const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let count = 0;
    for (let i = 0; i + 2 < data.length; i += 3) {
      if (data[i] === 0x4c && data[i + 1] === 0x78 && data[i + 2] === 0xa8) {
        count += 1;
      }
    }
    return count;
  }

  it('keeps the bars as wide when the top label is long (ImageNet names run to 60 characters and more)', async () => {
    const image = { width: 20, height: 10, data: new Uint8Array(20 * 10 * 3) };
    const cardWith = (label: string) =>
      renderPredictionCard({
        image,
        top: [
          { label, probability: 0.75 },
          { label: 'dog', probability: 0.25 },
        ],
        subtitle: 'test',
      });

    const short = await barPixels((await cardWith('cat')).png);
    const long = await barPixels(
      (await cardWith('African hunting dog, hyena dog, Cape hunting dog, Lycaon pictus')).png,
    );

    // bars of 75% and 25% of a plot a few hundred pixels wide, some 20 pixels high
    expect(short).toBeGreaterThan(3000);
    // narrower only by the label column (at most 150 px), not squeezed by the title
    expect(long).toBeGreaterThan(0.5 * short);
  });
});
