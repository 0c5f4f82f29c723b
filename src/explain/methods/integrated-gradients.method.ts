import type { SpatialMap } from '../layer-tensors';
import type { InputPlanes } from './saliency.method';

/** The m-th point x0 + (m / steps)(x - x0) of the straight path, m = 1..steps (right Riemann sum). */
export function pathPoint(
  input: Float32Array,
  baseline: Float32Array,
  m: number,
  steps: number,
): Float32Array {
  const t = m / steps;
  return input.map((x, i) => (baseline[i] ?? 0) + t * (x - (baseline[i] ?? 0)));
}

/**
 * Integrated Gradients (Sundararajan et al. 2017):
 * IG = (x - x0) * mean_m g(x0 + (m/steps)(x - x0)); M = sum_c |IG_c|. Returns IG [C, H, W].
 */
export function integratedGradients(
  input: InputPlanes,
  baseline: Float32Array,
  gradientSum: Float32Array,
  steps: number,
): InputPlanes {
  const data = input.data.map((x, i) => ((x - (baseline[i] ?? 0)) * (gradientSum[i] ?? 0)) / steps);
  return { channels: input.channels, height: input.height, width: input.width, data };
}

/** M = sum_c |IG_c|. */
export function integratedGradientsMap(attribution: InputPlanes): SpatialMap {
  const { channels, height, width, data } = attribution;
  const area = height * width;
  const out = new Float32Array(area);
  for (let c = 0; c < channels; c += 1) {
    for (let p = 0; p < area; p += 1) {
      out[p] = (out[p] ?? 0) + Math.abs(data[c * area + p] ?? 0);
    }
  }
  return { height, width, data: out };
}
