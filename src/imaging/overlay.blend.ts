import { InvalidParameterError } from '../errors/invalid-parameter.error';

export const DEFAULT_OVERLAY_ALPHA = 0.5;

export function checkAlpha(alpha: number): void {
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new InvalidParameterError('alpha', 'a number from 0 to 1', alpha);
  }
}

/** out = round((1 - alpha) * image + alpha * heat), per byte of two equal-length RGB buffers. */
export function blendRgb(image: Uint8Array, heat: Uint8Array, alpha: number): Uint8Array {
  checkAlpha(alpha);
  if (image.length !== heat.length) {
    throw new RangeError(
      `heat must hold ${image.length} bytes like the image, but holds ${heat.length}`,
    );
  }

  const out = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) {
    out[i] = Math.round((1 - alpha) * image[i] + alpha * heat[i]);
  }
  return out;
}
