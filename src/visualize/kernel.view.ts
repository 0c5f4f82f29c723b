import { ViewLimitExceededError } from '../errors/view-limit-exceeded.error';
import { applyDivergingColormap } from '../imaging/colormap.apply';
import { encodeNpy } from '../imaging/npy.codec';
import { tensorToJson } from '../imaging/tensor-json.encoder';
import type { JobAnswer } from '../jobs/job.types';
import type { ModelProto } from '../onnx/onnx.types';
import type { ViewFormat } from './feature-map.answer';
import { resolveConvolution, type ResolvedConvolution } from './kernel-layer.resolver';
import { formatIndexRuns } from './index-runs';
import { kernelSection, type ConvWeights, type KernelView } from './kernel.tiles';
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
 * input) pair), or the weight tensor as stored (.npy or JSON), cut to the first
 * `outLimit` filters and `inLimit` input channels when they are given.
 */
export async function kernelAnswer(model: ModelProto, request: KernelRequest): Promise<JobAnswer> {
  const conv = resolveConvolution(model, request.layer);
  if (request.format === 'png') {
    return kernelPng(conv, request);
  }

  const kept = keptKernels(conv.weights, request);
  const stored = conv.weights.dims;
  if (request.format === 'npy') {
    return {
      type: 'binary',
      contentType: 'application/x-npy',
      data: encodeNpy(kept.data, kept.dims),
      metadata: {
        layer: conv.layer,
        initializer: conv.initializer,
        shape: kept.dims.join('x'),
        dtype: 'float32',
        out_channels: formatIndexRuns(kept.outChannels),
        in_channels: formatIndexRuns(kept.inChannels),
        stored_shape: stored.join('x'),
      },
    };
  }
  return {
    type: 'json',
    body: {
      model: request.model,
      layer: conv.layer,
      initializer: conv.initializer,
      group: conv.group,
      outChannels: kept.outChannels,
      inChannels: kept.inChannels,
      storedShape: [...stored],
      ...tensorToJson(kept.data, kept.dims),
    },
  };
}

/** The part of a weight tensor a tensor answer holds, and which filters and input channels it is. */
export interface KeptKernels {
  readonly outChannels: number[];
  readonly inChannels: number[];
  readonly dims: [number, number, number, number];
  readonly data: Float32Array;
}

/** weights[:outLimit, :inLimit] (all of an axis whose limit is not given), in C order. */
export function keptKernels(
  weights: ConvWeights,
  limits: Pick<KernelRequest, 'outLimit' | 'inLimit'>,
): KeptKernels {
  const [outs, ins, kh, kw] = weights.dims;
  const outKept = Math.min(outs, limits.outLimit ?? outs);
  const inKept = Math.min(ins, limits.inLimit ?? ins);
  const area = kh * kw;
  const outChannels = Array.from({ length: outKept }, (_, o) => o);
  const inChannels = Array.from({ length: inKept }, (_, i) => i);
  const dims: KeptKernels['dims'] = [outKept, inKept, kh, kw];
  if (inKept === ins) {
    return { outChannels, inChannels, dims, data: weights.data.subarray(0, outKept * ins * area) };
  }

  const data = new Float32Array(outKept * inKept * area);
  for (let o = 0; o < outKept; o++) {
    const from = o * ins * area;
    data.set(weights.data.subarray(from, from + inKept * area), o * inKept * area);
  }
  return { outChannels, inChannels, dims, data };
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
