import { kernelSection, shownMaxAbs, type ConvWeights } from '../../../src/visualize/kernel.tiles';

describe('kernelSection', () => {
  const recorded: number[][] = [];
  const recordingColormap = (values: Float32Array): Uint8Array => {
    recorded.push(Array.from(values));
    return new Uint8Array(values.length * 3);
  };

  beforeEach(() => {
    recorded.length = 0;
  });

  it('centres the diverging colormap on zero with one scale, the largest |w| shown', () => {
    // [out 2, in 2, 1, 2]: the largest |w| among the pairs shown is 4
    const weights: ConvWeights = {
      layer: 'c',
      data: Float32Array.from([1, -2, 0, 4, -1, 1, 3, -3]),
      dims: [2, 2, 1, 2],
    };
    const view = {
      outShown: 2,
      inShown: 2,
      colour: false,
      channelOrder: 'RGB' as const,
      diverging: recordingColormap,
      minTileSize: 2,
    };

    const section = kernelSection(weights, view);

    expect(shownMaxAbs(weights, view)).toBe(4);
    expect(recorded).toEqual([
      [0.25, -0.5],
      [0, 1],
      [-0.25, 0.25],
      [0.75, -0.75],
    ]);
    expect(section.columns).toBe(2);
    expect(section.tiles).toHaveLength(4);
    expect([section.tiles[0].image.width, section.tiles[0].image.height]).toEqual([2, 1]);
  });

  it('draws a 3-input filter as RGB, each filter scaled by its own max |w|, grey at zero', () => {
    // one 1x1 filter over BGR input: B = 2, G = 0, R = -2 -> RGB (-1, 0, 1) -> (0, 128, 255)
    const weights: ConvWeights = {
      layer: 'c',
      data: Float32Array.from([2, 0, -2]),
      dims: [1, 3, 1, 1],
    };
    const section = kernelSection(weights, {
      outShown: 1,
      inShown: 3,
      colour: true,
      channelOrder: 'BGR',
      diverging: recordingColormap,
      minTileSize: 1,
    });

    expect(Array.from(section.tiles[0].image.data)).toEqual([0, 128, 255]);
    expect(section.tiles[0].label).toBe('0');
  });

  it('enlarges each weight into a square of nearest-neighbour pixels', () => {
    const weights: ConvWeights = {
      layer: 'c',
      data: Float32Array.from([1, -1]),
      dims: [1, 1, 1, 2],
    };
    const section = kernelSection(weights, {
      outShown: 1,
      inShown: 1,
      colour: false,
      channelOrder: 'RGB',
      diverging: (values) =>
        Uint8Array.from(Array.from(values).flatMap((v) => [v > 0 ? 255 : 0, 0, 0])),
      minTileSize: 6,
    });

    const tile = section.tiles[0].image;
    expect([tile.width, tile.height]).toEqual([6, 3]);
    const reds = Array.from({ length: 6 }, (_, x) => tile.data[3 * (2 * 6 + x)]);
    expect(reds).toEqual([255, 255, 255, 0, 0, 0]);
  });
});
