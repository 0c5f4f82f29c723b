import type { SpatialMap } from './layer-tensors';
import type { InputPlanes } from './methods/saliency.method';

/** One preprocessed image as the model takes it: batch 1, NCHW or NHWC. */
export interface ModelTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
  readonly layout: 'NCHW' | 'NHWC';
}

interface Extent {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

export function extentOf(t: Pick<ModelTensor, 'dims' | 'layout'>): Extent {
  const [, a = 1, b = 1, c = 1] = t.dims;
  return t.layout === 'NCHW'
    ? { channels: a, height: b, width: c }
    : { channels: c, height: a, width: b };
}

/** Offset of (channel, y, x) in a batch-1 tensor of either layout. */
function indexer(
  t: Pick<ModelTensor, 'dims' | 'layout'>,
): (c: number, y: number, x: number) => number {
  const { channels, height, width } = extentOf(t);
  return t.layout === 'NCHW'
    ? (c, y, x) => (c * height + y) * width + x
    : (c, y, x) => (y * width + x) * channels + c;
}

/** The tensor mirrored left-right (aug_smooth). */
export function flipHorizontally(t: ModelTensor): ModelTensor {
  const { channels, height, width } = extentOf(t);
  const at = indexer(t);
  const out = new Float32Array(t.data.length);
  for (let c = 0; c < channels; c += 1) {
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        out[at(c, y, x)] = t.data[at(c, y, width - 1 - x)] ?? 0;
      }
    }
  }
  return { ...t, data: out };
}

export function scaleTensor(t: ModelTensor, factor: number): ModelTensor {
  return factor === 1 ? t : { ...t, data: t.data.map((v) => v * factor) };
}

/** A map mirrored left-right. */
export function flipMap(map: SpatialMap): SpatialMap {
  const { height, width } = map;
  const out = new Float32Array(map.data.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      out[y * width + x] = map.data[y * width + width - 1 - x] ?? 0;
    }
  }
  return { height, width, data: out };
}

/** Values of a batch-1 tensor (or its gradient) as channel-major planes [C, H, W]. */
export function toPlanes(t: Pick<ModelTensor, 'dims' | 'layout'>, data: Float32Array): InputPlanes {
  const extent = extentOf(t);
  if (t.layout === 'NCHW') {
    return { ...extent, data };
  }
  const at = indexer(t);
  const area = extent.height * extent.width;
  const planes = new Float32Array(data.length);
  for (let c = 0; c < extent.channels; c += 1) {
    for (let p = 0; p < area; p += 1) {
      planes[c * area + p] = data[at(c, Math.floor(p / extent.width), p % extent.width)] ?? 0;
    }
  }
  return { ...extent, data: planes };
}

/** out = x * mask, the [H, W] mask broadcast over channels (Score-CAM). */
export function multiplyByMask(t: ModelTensor, mask: Float32Array, out: Float32Array): void {
  const { channels } = extentOf(t);
  const area = mask.length;
  for (let i = 0; i < t.data.length; i += 1) {
    const p = t.layout === 'NCHW' ? i % area : Math.floor(i / channels);
    out[i] = (t.data[i] ?? 0) * (mask[p] ?? 0);
  }
}
