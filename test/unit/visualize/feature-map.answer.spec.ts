import {
  featureMapAnswer,
  keptChannels,
  type FeatureMapRequest,
} from '../../../src/visualize/feature-map.answer';

// [1, 4, 1, 2]: channel c holds (c0: 1, 1), (c1: 5, 5), (c2: -2, 0), (c3: 5, 5) -> means 1, 5, -1, 5
const layer = {
  value: 'v',
  node: 'n',
  dims: [1, 4, 1, 2],
  data: Float32Array.from([1, 1, 5, 5, -2, 0, 5, 5]),
};

const request: FeatureMapRequest = {
  model: 'm',
  format: 'json',
  order: 'index',
  colormap: (values) => new Uint8Array(values.length * 3),
  colormapName: 'gray',
  minTileSize: 8,
};

describe('keptChannels', () => {
  it('keeps the channels of highest mean, highest first, ties by the lower index', () => {
    const kept = keptChannels(layer, { order: 'mean', limit: 3 });

    expect(kept.indices).toEqual([1, 3, 0]);
    expect(kept.dims).toEqual([1, 3, 1, 2]);
    expect(Array.from(kept.data)).toEqual([5, 5, 5, 5, 1, 1]);
    expect(kept.of).toBe(4);
  });

  it('keeps every channel in index order when no limit is given', () => {
    const kept = keptChannels(layer, { order: 'index' });

    expect(kept.indices).toEqual([0, 1, 2, 3]);
    expect(Array.from(kept.data)).toEqual(Array.from(layer.data));
  });
});

describe('featureMapAnswer (tensors)', () => {
  it('names the kept channels in the headers of an .npy answer', async () => {
    const answer = await featureMapAnswer({ ...request, format: 'npy', order: 'mean', limit: 2 }, [
      layer,
    ]);

    expect(answer).toMatchObject({
      type: 'binary',
      metadata: { shape: '1x2x1x2', channels: '1,3', channels_shown: '2/4', order: 'mean' },
    });
  });

  it('lists the kept channels of each layer in JSON', async () => {
    const answer = await featureMapAnswer({ ...request, limit: 2 }, [layer]);

    expect(answer).toMatchObject({
      type: 'json',
      body: {
        layers: [
          {
            layer: 'v',
            channels: [0, 1],
            channelCount: 4,
            shape: [1, 2, 1, 2],
            data: [1, 1, 5, 5],
          },
        ],
      },
    });
  });
});
