import { firstPrincipalProjection } from './first-principal-component';
import type { LayerActivation, SpatialMap } from './layer-tensors';

/**
 * M = sum_k w_k A_k, or with eigenSmooth the first principal component of
 * the weighted activations w_k A_k (pytorch-grad-cam's eigen_smooth).
 */
export function weightedChannelSum(
  layer: LayerActivation,
  weights: ArrayLike<number>,
  eigenSmooth: boolean,
): SpatialMap {
  const { channels, height, width, activation } = layer;
  const area = height * width;

  if (eigenSmooth) {
    const weighted = new Float32Array(activation.length);
    for (let k = 0; k < channels; k += 1) {
      const w = weights[k] ?? 0;
      for (let p = k * area; p < (k + 1) * area; p += 1) {
        weighted[p] = w * (activation[p] ?? 0);
      }
    }
    return { height, width, data: firstPrincipalProjection(weighted, channels, area) };
  }

  const sum = new Float64Array(area);
  for (let k = 0; k < channels; k += 1) {
    const w = weights[k] ?? 0;
    const offset = k * area;
    for (let p = 0; p < area; p += 1) {
      sum[p] = (sum[p] ?? 0) + w * (activation[offset + p] ?? 0);
    }
  }
  return { height, width, data: Float32Array.from(sum) };
}

/** M = sum_k T_k for elementwise terms T [K, h, w], or their first principal component with eigenSmooth. */
export function termChannelSum(
  terms: Float32Array,
  shape: { readonly channels: number; readonly height: number; readonly width: number },
  eigenSmooth: boolean,
): SpatialMap {
  const { channels, height, width } = shape;
  const area = height * width;

  if (eigenSmooth) {
    return { height, width, data: firstPrincipalProjection(terms, channels, area) };
  }

  const sum = new Float64Array(area);
  for (let k = 0; k < channels; k += 1) {
    const offset = k * area;
    for (let p = 0; p < area; p += 1) {
      sum[p] = (sum[p] ?? 0) + (terms[offset + p] ?? 0);
    }
  }
  return { height, width, data: Float32Array.from(sum) };
}

/** Per-channel sums over positions, sum_ij X_kij, in float64. */
export function channelSums(values: Float32Array, channels: number, area: number): Float64Array {
  const sums = new Float64Array(channels);
  for (let k = 0; k < channels; k += 1) {
    let s = 0;
    for (let p = k * area; p < (k + 1) * area; p += 1) {
      s += values[p] ?? 0;
    }
    sums[k] = s;
  }
  return sums;
}
