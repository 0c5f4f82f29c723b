import type { SpatialMap } from '../layer-tensors';

/** An input tensor or gradient for one image, channel-major [C, H, W]. */
export interface InputPlanes {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** Vanilla saliency (Simonyan et al. 2014): M = max_c |g_c|. Guided backprop reduces its gradient the same way. */
export function saliencyMap(gradient: InputPlanes): SpatialMap {
  const { channels, height, width, data } = gradient;
  const area = height * width;
  const out = new Float32Array(area);

  for (let c = 0; c < channels; c += 1) {
    const offset = c * area;
    for (let p = 0; p < area; p += 1) {
      const v = Math.abs(data[offset + p] ?? 0);
      if (v > (out[p] ?? 0)) {
        out[p] = v;
      }
    }
  }
  return { height, width, data: out };
}
