import { channelSums, weightedChannelSum } from '../channel-reduction';
import type { LayerTensors, SpatialMap } from '../layer-tensors';

/** Grad-CAM weights (Selvaraju et al. 2017): w_k = mean_ij G_kij. */
export function gradCamWeights(layer: LayerTensors): Float64Array {
  const area = layer.height * layer.width;
  return channelSums(layer.gradient, layer.channels, area).map((s) => s / area);
}

/** Grad-CAM (Selvaraju et al. 2017): M = sum_k mean_ij(G_k) A_k. */
export function gradCamMap(layer: LayerTensors, eigenSmooth = false): SpatialMap {
  return weightedChannelSum(layer, gradCamWeights(layer), eigenSmooth);
}
