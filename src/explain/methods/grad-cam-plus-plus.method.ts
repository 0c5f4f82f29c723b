import { channelSums, weightedChannelSum } from '../channel-reduction';
import type { LayerTensors, SpatialMap } from '../layer-tensors';

/** pytorch-grad-cam's epsilon in the alpha denominator (grad_cam_plusplus.py: eps = 0.000001). */
export const GRAD_CAM_PLUS_PLUS_EPS = 1e-6;

/**
 * Grad-CAM++ (Chattopadhay et al. 2018, as pytorch-grad-cam):
 * a = G^2 / (2 G^2 + sum_ij(A_k) G^3 + 1e-6), 0 where G = 0; w_k = sum_ij ReLU(G) a; M = sum_k w_k A_k.
 */
export function gradCamPlusPlusMap(layer: LayerTensors, eigenSmooth = false): SpatialMap {
  const { channels, height, width, activation, gradient } = layer;
  const area = height * width;
  const activationSums = channelSums(activation, channels, area);
  const weights = new Float64Array(channels);

  for (let k = 0; k < channels; k += 1) {
    const sumA = activationSums[k] ?? 0;
    let w = 0;
    for (let p = k * area; p < (k + 1) * area; p += 1) {
      const g = gradient[p] ?? 0;
      if (g <= 0) {
        continue;
      }
      const g2 = g * g;
      w += (g * g2) / (2 * g2 + sumA * g2 * g + GRAD_CAM_PLUS_PLUS_EPS);
    }
    weights[k] = w;
  }
  return weightedChannelSum(layer, weights, eigenSmooth);
}
