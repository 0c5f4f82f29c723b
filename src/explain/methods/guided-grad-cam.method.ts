import { resizeBilinear } from '../../imaging/resize-bilinear';
import type { SpatialMap } from '../layer-tensors';
import { reluMinMax } from '../map-normalization';

/**
 * Guided Grad-CAM (Selvaraju et al. 2017): the guided-backprop map
 * max_c |g_c| times the Grad-CAM map (ReLU, min-max) upsampled to the input size.
 */
export function guidedGradCamMap(guidedBackprop: SpatialMap, gradCam: SpatialMap): SpatialMap {
  const cam = reluMinMax(gradCam);
  const { height, width } = guidedBackprop;
  const upsampled = resizeBilinear(cam.data, cam.width, cam.height, width, height);

  for (let p = 0; p < upsampled.length; p += 1) {
    upsampled[p] = (upsampled[p] ?? 0) * (guidedBackprop.data[p] ?? 0);
  }
  return { height, width, data: upsampled };
}
