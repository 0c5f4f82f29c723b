import { weightedChannelSum } from '../channel-reduction';
import type { LayerActivation, SpatialMap } from '../layer-tensors';

/** pytorch-grad-cam's AblationLayer: how far below the activation's minimum an ablated channel goes. */
export const ABLATION_OFFSET = 1e7;

/**
 * The value an ablated channel takes, as pytorch-grad-cam's AblationLayer:
 * 0 when min(A) = 0 (a ReLU output), else min(A) - 1e7, min over every
 * channel and position of the image's activation.
 */
export function ablationValue(activation: Float32Array): number {
  let min = Infinity;
  for (const v of activation) {
    min = v < min ? v : min;
  }
  return min === 0 || !Number.isFinite(min) ? 0 : min - ABLATION_OFFSET;
}

/**
 * Ablation-CAM (Desai & Ramaswamy 2020): w_k = (s - s_k) / s, s_k the score with
 * channel k ablated; M = sum_k w_k A_k. When s = 0 (or so near 0 that a weight
 * overflows) the relative drop is undefined and w_k = sign(s) (s - s_k) is used,
 * sign(0) = +1: the limit of the weights' direction as s -> 0+ (or 0-), and
 * the same map after min-max as dividing by |s|.
 */
export function ablationCamMap(
  layer: LayerActivation,
  score: number,
  ablatedScores: ArrayLike<number>,
  eigenSmooth = false,
): SpatialMap {
  const drops = Float64Array.from(
    { length: layer.channels },
    (_, k) => score - (ablatedScores[k] ?? 0),
  );
  const relative = drops.map((d) => d / score);
  const sign = score < 0 ? -1 : 1;
  const weights = relative.every((w) => Number.isFinite(w)) ? relative : drops.map((d) => sign * d);
  return weightedChannelSum(layer, weights, eigenSmooth);
}
