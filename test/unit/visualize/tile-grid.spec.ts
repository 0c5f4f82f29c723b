import { upscaleNearest } from '../../../src/visualize/rgb-image';
import { composeGrid, sectionLayout } from '../../../src/visualize/tile-grid';

const solid = (size: number, value: number) => ({
  width: size,
  height: size,
  data: new Uint8Array(size * size * 3).fill(value),
});

describe('tile grid', () => {
  it('lays out ceil(sqrt(n)) columns with margins, gaps, a title band and label bands', () => {
    const layout = sectionLayout(10, 150, 50, true);

    expect(layout).toMatchObject({ columns: 4, rows: 3 });
    expect(layout.width).toBe(2 * 8 + 4 * 150 + 3 * 4);
    expect(layout.height).toBe(50 + 3 * (14 + 50) + 2 * 4 + 8);
  });

  it('is never narrower than the 520 px its title needs', () => {
    expect(sectionLayout(1, 10, 10, false).width).toBe(520);
  });

  it('places tile k at column k % columns and row floor(k / columns)', () => {
    const grid = composeGrid([
      {
        title: 't',
        notes: [],
        tiles: [0, 1, 2].map((k) => ({ image: solid(200, 10 * (k + 1)), label: String(k) })),
        labelled: true,
        columns: 2,
      },
    ]);

    const pixel = (x: number, y: number) => grid.image.data[3 * (y * grid.image.width + x)];
    expect(pixel(8, 50 + 14)).toBe(10);
    expect(pixel(8 + 200 + 4, 50 + 14)).toBe(20);
    expect(pixel(8, 50 + 14 + 200 + 4 + 14)).toBe(30);
    expect(pixel(0, 0)).toBe(255);
    expect(grid.labels.map((label) => label.text)).toEqual(['t', '0', '1', '2']);
    // a tile's label is centred over it, its baseline 3 px above the tile
    expect(grid.labels[1]).toEqual({ kind: 'label', x: 8 + 100, y: 50 + 14 - 3, text: '0' });
    expect(grid.labels[3]).toEqual({
      kind: 'label',
      x: 8 + 100,
      y: 50 + 14 + 200 + 4 + 14 - 3,
      text: '2',
    });
  });

  it('refuses tiles of different sizes in one section', () => {
    expect(() =>
      composeGrid([
        {
          title: 'mixed',
          notes: [],
          tiles: [
            { image: solid(2, 0), label: '' },
            { image: solid(3, 0), label: '' },
          ],
          labelled: false,
        },
      ]),
    ).toThrow('composeGrid: tiles of section "mixed" differ in size');
  });

  it('enlarges by nearest neighbour', () => {
    const image = { width: 2, height: 1, data: Uint8Array.from([1, 1, 1, 2, 2, 2]) };
    const big = upscaleNearest(image, 2);

    expect([big.width, big.height]).toEqual([4, 2]);
    expect(Array.from(big.data.filter((_, i) => i % 3 === 0))).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
  });
});
