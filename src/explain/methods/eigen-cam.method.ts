import { firstPrincipalProjection } from '../first-principal-component';
import type { LayerActivation, SpatialMap } from '../layer-tensors';

/** EigenCAM (Muhammad & Yeasin 2020): A as [hw, K], centred per channel, projected on its first right singular vector. */
export function eigenCamMap(layer: LayerActivation): SpatialMap {
  const { channels, height, width, activation } = layer;
  return { height, width, data: firstPrincipalProjection(activation, channels, height * width) };
}
