import { InvalidParameterError } from '../errors/invalid-parameter.error';
import { ViewLimitExceededError } from '../errors/view-limit-exceeded.error';
import { encodeNpy } from '../imaging/npy.codec';
import { tensorToJson } from '../imaging/tensor-json.encoder';
import type { JobAnswer } from '../jobs/job.types';
import type { ChannelOrder } from './channel-selection';
import type { ColormapFn } from './colormap.port';
import { featureMapSection, type FeatureMap } from './feature-map.tiles';
import { encodeLabelledPng } from './png.encoder';
import { composeGrid } from './tile-grid';

/** Most channels drawn per layer. */
export const MAX_FEATURE_MAP_CHANNELS = 1024;

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
  readonly limit: number;
  readonly colormap: ColormapFn;
  readonly colormapName: string;
  readonly minTileSize: number;
  readonly columns?: number;
}

/** The answer to a feature-map request: a labelled PNG grid, or the raw tensors (.npy for one layer, JSON). */
export async function featureMapAnswer(
  request: FeatureMapRequest,
  layers: readonly LayerActivationTensor[],
): Promise<JobAnswer> {
  switch (request.format) {
    case 'png':
      return pngAnswer(request, layers);
    case 'npy':
      return npyAnswer(layers);
    case 'json':
      return {
        type: 'json',
        body: {
          model: request.model,
          layers: layers.map((layer) => ({
            layer: layer.value,
            node: layer.node,
            ...tensorToJson(layer.data, layer.dims),
          })),
        },
      };
  }
}

function npyAnswer(layers: readonly LayerActivationTensor[]): JobAnswer {
  const [only] = layers;
  if (only === undefined || layers.length > 1) {
    throw new InvalidParameterError(
      'format',
      'json or png when several layers are asked (an .npy file holds one array)',
      'npy',
    );
  }
  return {
    type: 'binary',
    contentType: 'application/x-npy',
    data: encodeNpy(only.data, only.dims),
    metadata: { layer: only.value, shape: only.dims.join('x'), dtype: 'float32' },
  };
}

async function pngAnswer(
  request: FeatureMapRequest,
  layers: readonly LayerActivationTensor[],
): Promise<JobAnswer> {
  if (request.limit > MAX_FEATURE_MAP_CHANNELS) {
    throw new ViewLimitExceededError(
      'limit',
      MAX_FEATURE_MAP_CHANNELS,
      request.limit,
      'channels per layer',
    );
  }
  const view = {
    order: request.order,
    limit: request.limit,
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
