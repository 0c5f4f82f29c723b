import { InvalidParameterError } from '../errors/invalid-parameter.error';
import { ViewLimitExceededError } from '../errors/view-limit-exceeded.error';
import { encodeNpy } from '../imaging/npy.codec';
import { tensorToJson } from '../imaging/tensor-json.encoder';
import type { JobAnswer } from '../jobs/job.types';
import { selectChannels, type ChannelOrder } from './channel-selection';
import type { ColormapFn } from './colormap.port';
import { featureMapSection, type FeatureMap } from './feature-map.tiles';
import { formatIndexRuns } from './index-runs';
import { encodeLabelledPng } from './png.encoder';
import { composeGrid } from './tile-grid';

/** Most channels drawn per layer. */
export const MAX_FEATURE_MAP_CHANNELS = 1024;
/** Channels drawn per layer when the caller gives no limit (a tensor then keeps them all). */
export const DEFAULT_FEATURE_MAP_CHANNELS = 64;

export type ViewFormat = 'png' | 'npy' | 'json';

/** One layer's activation for one image, with the names a caller may know it by. */
export interface LayerActivationTensor {
  readonly value: string;
  readonly node: string;
  /** [1, C, H, W] as the model computed it. */
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface FeatureMapRequest {
  readonly model: string;
  readonly format: ViewFormat;
  readonly order: ChannelOrder;
  /** Channels kept per layer; not given: DEFAULT_FEATURE_MAP_CHANNELS in a picture, all in a tensor. */
  readonly limit?: number;
  readonly colormap: ColormapFn;
  readonly colormapName: string;
  readonly minTileSize: number;
  readonly columns?: number;
}

/**
 * The answer to a feature-map request: a labelled PNG grid, or the raw tensors
 * (.npy for one layer, JSON) of the same channels in the same order.
 */
export async function featureMapAnswer(
  request: FeatureMapRequest,
  layers: readonly LayerActivationTensor[],
): Promise<JobAnswer> {
  switch (request.format) {
    case 'png':
      return pngAnswer(request, layers);
    case 'npy':
      return npyAnswer(request, layers);
    case 'json':
      return {
        type: 'json',
        body: {
          model: request.model,
          order: request.order,
          layers: layers.map((layer) => {
            const kept = keptChannels(layer, request);
            return {
              layer: layer.value,
              node: layer.node,
              channels: kept.indices,
              channelCount: kept.of,
              ...tensorToJson(kept.data, kept.dims),
            };
          }),
        },
      };
  }
}

/** The channels a tensor answer holds, by index into the layer's channels, and their values. */
export interface KeptChannels {
  readonly indices: number[];
  /** The layer's channel count. */
  readonly of: number;
  /** [1, indices.length, H, W]. */
  readonly dims: number[];
  readonly data: Float32Array;
}

/**
 * The channels the picture would show (selectChannels: the first `limit`, or
 * the `limit` of highest mean, highest first), all of them without a limit,
 * copied out in that order (a view of the data when they are its first ones).
 */
export function keptChannels(
  layer: LayerActivationTensor,
  request: Pick<FeatureMapRequest, 'order' | 'limit'>,
): KeptChannels {
  const [batch = 1, channels = 1, ...spatial] = layer.dims;
  const plane = spatial.reduce((a, b) => a * b, 1);
  const indices = selectChannels(
    layer.data,
    channels,
    plane,
    request.order,
    request.limit ?? channels,
  );
  const dims = [batch, indices.length, ...spatial];
  if (indices.every((channel, k) => channel === k)) {
    return { indices, of: channels, dims, data: layer.data.subarray(0, indices.length * plane) };
  }

  const data = new Float32Array(indices.length * plane);
  indices.forEach((channel, k) => {
    data.set(layer.data.subarray(channel * plane, (channel + 1) * plane), k * plane);
  });
  return { indices, of: channels, dims, data };
}

function npyAnswer(
  request: FeatureMapRequest,
  layers: readonly LayerActivationTensor[],
): JobAnswer {
  const [only] = layers;
  if (only === undefined || layers.length > 1) {
    throw new InvalidParameterError(
      'format',
      'json or png when several layers are asked (an .npy file holds one array)',
      'npy',
    );
  }
  const kept = keptChannels(only, request);
  return {
    type: 'binary',
    contentType: 'application/x-npy',
    data: encodeNpy(kept.data, kept.dims),
    metadata: {
      layer: only.value,
      shape: kept.dims.join('x'),
      dtype: 'float32',
      channels: formatIndexRuns(kept.indices),
      channels_shown: `${kept.indices.length}/${kept.of}`,
      order: request.order,
    },
  };
}

async function pngAnswer(
  request: FeatureMapRequest,
  layers: readonly LayerActivationTensor[],
): Promise<JobAnswer> {
  const limit = request.limit ?? DEFAULT_FEATURE_MAP_CHANNELS;
  if (limit > MAX_FEATURE_MAP_CHANNELS) {
    throw new ViewLimitExceededError(
      'limit',
      MAX_FEATURE_MAP_CHANNELS,
      limit,
      'channels per layer',
    );
  }
  const view = {
    order: request.order,
    limit,
    colormap: request.colormap,
    colormapName: request.colormapName,
    minTileSize: request.minTileSize,
    ...(request.columns === undefined ? {} : { columns: request.columns }),
  };
  const sections = layers.map((layer) => featureMapSection(asFeatureMap(layer), view));
  const grid = composeGrid(sections);

  return {
    type: 'binary',
    contentType: 'image/png',
    data: await encodeLabelledPng(grid.image, grid.labels),
    metadata: {
      layers: layers.map((layer) => layer.value).join(','),
      channels_shown: sections
        .map((section, i) => `${section.tiles.length}/${layers[i]?.dims[1] ?? 0}`)
        .join(','),
      order: request.order,
      tile_size: grid.layouts.map((layout) => `${layout.tileWidth}x${layout.tileHeight}`).join(','),
    },
  };
}

function asFeatureMap(layer: LayerActivationTensor): FeatureMap {
  const [, channels = 1, height = 1, width = 1] = layer.dims;
  return {
    layer: layer.value,
    data: layer.data.subarray(0, channels * height * width),
    channels,
    height,
    width,
  };
}
