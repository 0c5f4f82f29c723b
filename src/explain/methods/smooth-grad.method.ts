import type { SpatialMap } from '../layer-tensors';
import { type InputPlanes, saliencyMap } from './saliency.method';

/** `count` draws from N(0, 1): the noise of one SmoothGrad sample before scaling. */
export type NormalSource = (count: number) => ArrayLike<number>;

/**
 * N(0, 1) draws by Box-Muller from a uniform generator in [0, 1), two per pair of uniforms (the
 * second of the last pair is dropped when `count` is odd).
 */
export function boxMullerNormals(uniform: () => number): NormalSource {
  return (count) => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      out[i] = radius * Math.cos(angle);
      if (i + 1 < count) {
        out[i + 1] = radius * Math.sin(angle);
      }
    }
    return out;
  };
}

/** x + sigma (max(x) - min(x)) z for N(0, 1) draws z, one per element of x (Smilkov et al. 2017). */
export function noisyInput(
  input: Float32Array,
  sigma: number,
  normals: ArrayLike<number>,
): Float32Array {
  if (normals.length !== input.length) {
    throw new RangeError(
      `noisyInput: expected ${input.length} normal draws, one per input value, got ${normals.length}`,
    );
  }

  let min = Infinity;
  let max = -Infinity;
  for (const v of input) {
    min = v < min ? v : min;
    max = v > max ? v : max;
  }

  const std = sigma * (max - min);
  return input.map((x, i) => x + std * (normals[i] ?? 0));
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
