import { BatchTooLargeError } from '../errors/batch-too-large.error';
import { forImage } from '../errors/image-in-batch.error';
import { type DecodeLimits, readUploadSize } from './image-decoder';

export interface BatchLimits extends DecodeLimits {
  /**
   * Largest width x height summed over the images of one request: a job holds
   * every image of its batch and its maps at once, so its memory grows with
   * this sum, not with the largest image.
   */
  readonly maxRequestPixels: number;
}

/**
 * The upright size of every image of a request, from the headers alone (no
 * pixel decoded), each refused as decodeUpload would (empty, unsupported,
 * over MAX_IMAGE_PIXELS), then the batch refused when its pixels add up to
 * more than MAX_REQUEST_PIXELS. In a batch, a refused image is named by its position.
 * @throws BatchTooLargeError (413 BATCH_TOO_LARGE)
 */
export async function readBatchSizes(
  images: readonly Buffer[],
  limits: BatchLimits,
): Promise<{ width: number; height: number }[]> {
  const sizes = [];
  for (const [index, bytes] of images.entries()) {
    sizes.push(await forImage(index, images.length, () => readUploadSize(bytes, limits)));
  }
  const pixels = sizes.reduce((sum, { width, height }) => sum + width * height, 0);
  if (pixels > limits.maxRequestPixels) {
    throw new BatchTooLargeError(images.length, pixels, limits.maxRequestPixels);
  }
  return sizes;
}
