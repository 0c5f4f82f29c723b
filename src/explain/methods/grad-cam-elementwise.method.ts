import { termChannelSum } from '../channel-reduction';
import type { LayerTensors, SpatialMap } from '../layer-tensors';

/** Grad-CAM elementwise (pytorch-grad-cam): M = sum_k ReLU(G_k * A_k). */
export function gradCamElementwiseMap(layer: LayerTensors, eigenSmooth = false): SpatialMap {
  const terms = new Float32Array(layer.activation.length);
  for (let p = 0; p < terms.length; p += 1) {
    terms[p] = Math.max(0, (layer.gradient[p] ?? 0) * (layer.activation[p] ?? 0));
  }
  return termChannelSum(terms, layer, eigenSmooth);
}
