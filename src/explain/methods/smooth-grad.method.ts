import type { SpatialMap } from '../layer-tensors';
import { type InputPlanes, saliencyMap } from './saliency.method';

/** x + noise, noise ~ N(0, (sigma * (max(x) - min(x)))^2), by Box-Muller from `uniform`. */
export function noisyInput(
  input: Float32Array,
  sigma: number,
  uniform: () => number,
): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of input) {
    min = v < min ? v : min;
    max = v > max ? v : max;
  }

  const std = sigma * (max - min);
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    out[i] = (input[i] ?? 0) + std * radius * Math.cos(angle);
    if (i + 1 < input.length) {
      out[i + 1] = (input[i + 1] ?? 0) + std * radius * Math.sin(angle);
    }
  }
  return out;
}

/** SmoothGrad (Smilkov et al. 2017): M = mean over samples of max_c |g_c(x + noise)|. */
export function smoothGradMap(sampleGradients: readonly InputPlanes[]): SpatialMap {
  const first = sampleGradients[0];
  if (first === undefined) {
    throw new RangeError('smoothGradMap: expected at least one sample gradient, got none');
  }

  const sum = new Float32Array(first.height * first.width);
  for (const gradient of sampleGradients) {
    const map = saliencyMap(gradient).data;
    for (let p = 0; p < sum.length; p += 1) {
      sum[p] = (sum[p] ?? 0) + (map[p] ?? 0);
    }
  }
  return {
    height: first.height,
    width: first.width,
    data: sum.map((v) => v / sampleGradients.length),
  };
}
