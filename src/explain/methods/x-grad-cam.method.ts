import { channelSums, weightedChannelSum } from '../channel-reduction';
import type { LayerTensors, SpatialMap } from '../layer-tensors';

/** pytorch-grad-cam's epsilon in the weight denominator (xgrad_cam.py: eps = 1e-7). */
export const XGRAD_CAM_EPS = 1e-7;

/** XGrad-CAM (Fu et al. 2020): w_k = sum_ij(G_k A_k) / (sum_ij A_k + 1e-7); M = sum_k w_k A_k. */
export function xGradCamMap(layer: LayerTensors, eigenSmooth = false): SpatialMap {
  const { channels, height, width, activation, gradient } = layer;
  const area = height * width;
  const activationSums = channelSums(activation, channels, area);
  const weights = new Float64Array(channels);

  for (let k = 0; k < channels; k += 1) {
    let s = 0;
    for (let p = k * area; p < (k + 1) * area; p += 1) {
      s += (gradient[p] ?? 0) * (activation[p] ?? 0);
    }
    weights[k] = s / ((activationSums[k] ?? 0) + XGRAD_CAM_EPS);
  }
  return weightedChannelSum(layer, weights, eigenSmooth);
}
