import { weightedChannelSum } from '../channel-reduction';
import type { LayerActivation, SpatialMap } from '../layer-tensors';

/** CAM (Zhou et al. 2016): M = sum_k W[c, k] A_k, W the linear layer after global average pooling. */
export function camMap(
  layer: LayerActivation,
  classWeights: ArrayLike<number>,
  eigenSmooth = false,
): SpatialMap {
  return weightedChannelSum(layer, classWeights, eigenSmooth);
}
