import { ViewLimitExceededError } from '../errors/view-limit-exceeded.error';
import { applyDivergingColormap } from '../imaging/colormap.apply';
import { encodeNpy } from '../imaging/npy.codec';
import { tensorToJson } from '../imaging/tensor-json.encoder';
import type { JobAnswer } from '../jobs/job.types';
import type { ModelProto } from '../onnx/onnx.types';
import type { ViewFormat } from './feature-map.answer';
import { resolveConvolution, type ResolvedConvolution } from './kernel-layer.resolver';
import { kernelSection, type KernelView } from './kernel.tiles';
import { encodeLabelledPng } from './png.encoder';
import { composeGrid } from './tile-grid';

/** Most tiles one kernel picture may hold (output x input pairs, or colour filters). */
export const MAX_KERNEL_TILES = 4096;
/** Output and input channels shown when the caller does not say. */
export const DEFAULT_KERNEL_CHANNELS = 32;

export interface KernelRequest {
  readonly model: string;
  readonly layer?: string;
  readonly format: ViewFormat;
  readonly outLimit?: number;
  readonly inLimit?: number;
  readonly tile: number;
  /** The model input's channel order, so that colour filters are drawn as RGB. */
  readonly channelOrder: 'RGB' | 'BGR';
}

/**
 * A convolution's kernels: a PNG grid (colour tiles for a convolution that reads
 * the 3-channel input image, else a zero-centred diverging tile per (output,
 * input) pair), or the weight tensor exactly as stored (.npy or JSON).
 */
export async function kernelAnswer(model: ModelProto, request: KernelRequest): Promise<JobAnswer> {
  const conv = resolveConvolution(model, request.layer);
  const { data, dims } = conv.weights;

  switch (request.format) {
    case 'npy':
      return {
        type: 'binary',
        contentType: 'application/x-npy',
        data: encodeNpy(data, dims),
        metadata: {
          layer: conv.layer,
          initializer: conv.initializer,
          shape: dims.join('x'),
          dtype: 'float32',
        },
      };
    case 'json':
      return {
        type: 'json',
        body: {
          model: request.model,
          layer: conv.layer,
          initializer: conv.initializer,
          group: conv.group,
          ...tensorToJson(data, dims),
        },
      };
    case 'png':
      return kernelPng(conv, request);
  }
}

/** What the picture shows: how many filters and input channels, and whether as colour. */
export function kernelViewOf(conv: ResolvedConvolution, request: KernelRequest): KernelView {
  const [outChannels, inChannels] = conv.weights.dims;
  // Only the input image's channels are red, green and blue; three channels deeper in are not.
  const colour = inChannels === 3 && conv.group === 1 && conv.readsModelInput;
  const outShown = Math.min(outChannels, request.outLimit ?? DEFAULT_KERNEL_CHANNELS);
  const inShown = colour
    ? inChannels
    : Math.min(inChannels, request.inLimit ?? DEFAULT_KERNEL_CHANNELS);
  const tiles = colour ? outShown : outShown * inShown;

  if (tiles > MAX_KERNEL_TILES) {
    const parameter = colour ? 'out_limit' : 'out_limit x in_limit';
    throw new ViewLimitExceededError(parameter, MAX_KERNEL_TILES, tiles, 'kernel tiles');
  }
  return {
    outShown,
    inShown,
    colour,
    channelOrder: request.channelOrder,
    diverging: (values) => applyDivergingColormap(values, 'coolwarm'),
    minTileSize: request.tile,
  };
}

async function kernelPng(conv: ResolvedConvolution, request: KernelRequest): Promise<JobAnswer> {
  const view = kernelViewOf(conv, request);
  const grid = composeGrid([kernelSection(conv.weights, view)]);

  return {
    type: 'binary',
    contentType: 'image/png',
    data: await encodeLabelledPng(grid.image, grid.labels),
    metadata: {
      layer: conv.layer,
      initializer: conv.initializer,
      shape: conv.weights.dims.join('x'),
      shown: view.colour
        ? `${view.outShown} colour filters`
        : `${view.outShown}x${view.inShown} pairs`,
    },
  };
}
