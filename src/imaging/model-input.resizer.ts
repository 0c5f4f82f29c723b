import sharp from 'sharp';

import type { DecodedImage } from './decoded-image';
import type { ResizePlan } from './input-geometry';

/**
 * Letterbox padding, in pixel values before normalisation: black, as torchvision's Pad
 * fills by default.
 */
export const LETTERBOX_FILL = { r: 0, g: 0, b: 0 };

/**
 * sharp's 'linear' kernel is a triangle filter widened when shrinking, i.e. bilinear with
 * antialiasing: what PIL's BILINEAR and torchvision's Resize(antialias=True) do, so
 * downscaled inputs match how most CNNs were trained.
 */
const KERNEL = 'linear';

/** Resizes, then pads or crops, a decoded image to the plan's input size; RGB interleaved. */
export async function resizeForModel(image: DecodedImage, plan: ResizePlan): Promise<Uint8Array> {
  const { geometry } = plan;
  let pipeline = sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  }).resize(plan.resizedWidth, plan.resizedHeight, { fit: 'fill', kernel: KERNEL });

  if (geometry.resize === 'letterbox') {
    pipeline = pipeline.extend({
      left: plan.offsetLeft,
      top: plan.offsetTop,
      right: geometry.inputWidth - plan.resizedWidth - plan.offsetLeft,
      bottom: geometry.inputHeight - plan.resizedHeight - plan.offsetTop,
      background: LETTERBOX_FILL,
    });
  } else if (geometry.resize === 'center-crop') {
    pipeline = pipeline.extract({
      left: plan.offsetLeft,
      top: plan.offsetTop,
      width: geometry.inputWidth,
      height: geometry.inputHeight,
    });
  }

  const data = await pipeline.removeAlpha().raw().toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}
