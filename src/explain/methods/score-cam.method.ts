import { resizeBilinearAlignCorners } from '../bilinear-align-corners';
import { weightedChannelSum } from '../channel-reduction';
import type { LayerActivation, SpatialMap } from '../layer-tensors';
import { softmax } from '../class-scores';

/** pytorch-grad-cam's epsilon in the mask normalisation. */
export const SCORE_CAM_EPS = 1e-8;

/**
 * Score-CAM mask of channel k (Wang et al. 2020, as pytorch-grad-cam): A_k
 * upsampled to the input size with align_corners=True
 * (torch.nn.UpsamplingBilinear2d), then (U - min U) / (max U - min U + 1e-8).
 */
export function scoreCamMask(
  layer: LayerActivation,
  channel: number,
  inputHeight: number,
  inputWidth: number,
): Float32Array {
  const area = layer.height * layer.width;
  const plane = layer.activation.subarray(channel * area, (channel + 1) * area);
  const mask = resizeBilinearAlignCorners(
    plane,
    layer.width,
    layer.height,
    inputWidth,
    inputHeight,
  );

  let min = Infinity;
  let max = -Infinity;
  for (const v of mask) {
    min = v < min ? v : min;
    max = v > max ? v : max;
  }
  const range = max - min + SCORE_CAM_EPS;
  for (let i = 0; i < mask.length; i += 1) {
    mask[i] = ((mask[i] ?? 0) - min) / range;
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
