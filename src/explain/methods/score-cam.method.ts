import { resizeBilinear } from '../../imaging/resize-bilinear';
import { weightedChannelSum } from '../channel-reduction';
import type { LayerActivation, SpatialMap } from '../layer-tensors';
import { softmax } from '../class-scores';

/**
 * Score-CAM mask of channel k (Wang et al. 2020, as pytorch-grad-cam): A_k
 * upsampled bilinearly to the input size and min-max normalised to [0, 1]
 * (a constant channel gives zeros).
 */
export function scoreCamMask(
  layer: LayerActivation,
  channel: number,
  inputHeight: number,
  inputWidth: number,
): Float32Array {
  const area = layer.height * layer.width;
  const plane = layer.activation.subarray(channel * area, (channel + 1) * area);
  const mask = resizeBilinear(plane, layer.width, layer.height, inputWidth, inputHeight);

  let min = Infinity;
  let max = -Infinity;
  for (const v of mask) {
    min = v < min ? v : min;
    max = v > max ? v : max;
  }
  const range = max - min;
  for (let i = 0; i < mask.length; i += 1) {
    mask[i] = range > 0 ? ((mask[i] ?? 0) - min) / range : 0;
  }
  return mask;
}

/** Score-CAM map: w = softmax_k(s_k), s_k the target's score on x * mask_k; M = sum_k w_k A_k. */
export function scoreCamMap(
  layer: LayerActivation,
  maskedScores: ArrayLike<number>,
  eigenSmooth = false,
): SpatialMap {
  return weightedChannelSum(layer, softmax(maskedScores), eigenSmooth);
}
