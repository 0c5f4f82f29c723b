import { termChannelSum } from '../channel-reduction';
import type { LayerTensors, SpatialMap } from '../layer-tensors';

/** HiResCAM (Draelos & Carin 2020): M = sum_k G_k * A_k, elementwise. */
export function hiResCamMap(layer: LayerTensors, eigenSmooth = false): SpatialMap {
  const terms = new Float32Array(layer.activation.length);
  for (let p = 0; p < terms.length; p += 1) {
    terms[p] = (layer.gradient[p] ?? 0) * (layer.activation[p] ?? 0);
  }
  return termChannelSum(terms, layer, eigenSmooth);
}
