import type { DecodedImage } from './decoded-image';
import type { InputGeometry } from './input-geometry';
import { planResize } from './input-geometry';
import type { InputSpec } from './input-spec';
import { resolveNormalization } from './input-spec';
import { resizeForModel } from './model-input.resizer';
import { inputDims, writePixelTensor } from './pixel-tensor';

export interface ModelInput {
  readonly tensor: Float32Array;
  readonly dims: number[];
  /** One per image: how input coordinates map back to that upright original. */
  readonly geometry: InputGeometry[];
}

/**
 * Builds the batched input tensor: resize (stretch, letterbox or center-crop), then
 * value = (pixel * scale - mean[c]) / std[c] in the spec's layout and channel order.
 */
export async function toModelInput(
  images: readonly DecodedImage[],
  spec: InputSpec,
): Promise<ModelInput> {
  if (images.length === 0) {
    throw new RangeError('toModelInput needs at least one image, but received none');
  }
  const norm = resolveNormalization(spec);
  const tensor = new Float32Array(images.length * spec.width * spec.height * spec.channels);
  const geometry: InputGeometry[] = [];

  for (const [index, image] of images.entries()) {
    const plan = planResize(image.width, image.height, spec);
    writePixelTensor(await resizeForModel(image, plan), spec, norm, tensor, index);
    geometry.push(plan.geometry);
  }

  return { tensor, dims: inputDims(spec, images.length), geometry };
}
