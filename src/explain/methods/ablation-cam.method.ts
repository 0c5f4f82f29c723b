import { weightedChannelSum } from '../channel-reduction';
import type { LayerActivation, SpatialMap } from '../layer-tensors';

/** Ablation-CAM (Desai & Ramaswamy 2020): w_k = (s - s_k) / s, s_k the score with channel k zeroed; M = sum_k w_k A_k. */
export function ablationCamMap(
  layer: LayerActivation,
  score: number,
  ablatedScores: ArrayLike<number>,
  eigenSmooth = false,
): SpatialMap {
  const weights = Float64Array.from(
    { length: layer.channels },
    (_, k) => (score - (ablatedScores[k] ?? 0)) / score,
  );
  return weightedChannelSum(layer, weights, eigenSmooth);
}
