import { channelMeans, selectChannels } from '../../../src/visualize/channel-selection';
import {
  featureMapSection,
  normaliseChannel,
  upscaleFactor,
} from '../../../src/visualize/feature-map.tiles';

/** A stand-in colormap: grey level round(255 * t), so tiles can be read back. */
const grey = (values: Float32Array): Uint8Array => {
  const rgb = new Uint8Array(values.length * 3);
  values.forEach((v, i) => rgb.fill(Math.round(255 * v), 3 * i, 3 * i + 3));
  return rgb;
};

describe('feature-map tiles', () => {
  // Three 2x2 channels: means 2.5, 10, -1.
  const data = Float32Array.from([1, 2, 3, 4, 10, 10, 10, 10, -2, 0, -2, 0]);

  it('normalises one channel on its own: (x - min) / (max - min)', () => {
    expect(Array.from(normaliseChannel(data, 0, 4))).toEqual([0, 1 / 3, 2 / 3, 1].map(Math.fround));
    expect(Array.from(normaliseChannel(data, 8, 4))).toEqual([0, 1, 0, 1]);
  });

  it('maps a constant channel to 0', () => {
    expect(Array.from(normaliseChannel(data, 4, 4))).toEqual([0, 0, 0, 0]);
  });

  it('orders channels by index or by mean activation, highest first', () => {
    expect(Array.from(channelMeans(data, 3, 4))).toEqual([2.5, 10, -1]);
    expect(selectChannels(data, 3, 4, 'index', 2)).toEqual([0, 1]);
    expect(selectChannels(data, 3, 4, 'mean', 2)).toEqual([1, 0]);
  });

  it('keeps the lower index first when means tie', () => {
    expect(selectChannels(Float32Array.from([1, 1, 1]), 3, 1, 'mean', 3)).toEqual([0, 1, 2]);
  });

  it('enlarges maps by the integer factor that reaches the minimum size', () => {
    expect(upscaleFactor(28, 28, 64)).toBe(3);
    expect(upscaleFactor(7, 5, 64)).toBe(10);
    expect(upscaleFactor(100, 80, 64)).toBe(1);
  });

  it('labels each tile with its channel index and draws its normalised values', () => {
    const section = featureMapSection(
      { layer: 'conv', data, channels: 3, height: 2, width: 2 },
      { order: 'mean', limit: 3, colormap: grey, colormapName: 'grey', minTileSize: 4 },
    );

    expect(section.tiles.map((tile) => tile.label)).toEqual(['1', '0', '2']);
    const first = section.tiles[1].image;
    expect([first.width, first.height]).toEqual([4, 4]);
    // channel 0 enlarged x2: top-left 2x2 block is value 1 -> 0, top-right is value 2 -> 85
    expect(first.data[0]).toBe(0);
    expect(first.data[3 * 2]).toBe(85);
    expect(first.data[3 * (4 * 3 + 3)]).toBe(255);
  });
});
