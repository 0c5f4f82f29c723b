import { firstPrincipalProjection } from '../first-principal-component';
import type { LayerTensors, SpatialMap } from '../layer-tensors';

/** EigenGradCAM (pytorch-grad-cam): the EigenCAM projection of G * A. */
export function eigenGradCamMap(layer: LayerTensors): SpatialMap {
  const { channels, height, width, activation, gradient } = layer;
  const product = new Float32Array(activation.length);
  for (let p = 0; p < product.length; p += 1) {
    product[p] = (gradient[p] ?? 0) * (activation[p] ?? 0);
  }
  return { height, width, data: firstPrincipalProjection(product, channels, height * width) };
}
