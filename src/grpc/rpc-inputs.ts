import { RpcImagesMissingError } from '../errors/rpc-images-missing.error';
import { RpcImagesTooLargeError } from '../errors/rpc-images-too-large.error';
import { TooManyImagesError } from '../errors/too-many-images.error';
import type { ModelRepository } from '../models/model-repository';

/** What a request's images may be: as many as MAX_BATCH_IMAGES, as many bytes as MAX_UPLOAD_BYTES. */
export interface ImageLimits {
  readonly maxImages: number;
  readonly maxBytes: number;
}

/**
 * The request's images (repeated field `field`), refused when there are
 * none, more than maxImages, any empty one (answers are numbered by
 * position, so none may be left out), or more bytes in all than maxBytes:
 * the bounds of a REST upload, which GRPC_MAX_MESSAGE_BYTES (the whole
 * message) does not give.
 */
export function requestImages(
  images: readonly Buffer[] | undefined,
  field: string,
  limits: ImageLimits,
): Buffer[] {
  const sent = images ?? [];

  if (sent.length === 0) {
    throw new RpcImagesMissingError(field);
  }
  if (sent.length > limits.maxImages) {
    throw new TooManyImagesError(sent.length, limits.maxImages);
  }
  const empty = sent.flatMap((image, position) => (image.length === 0 ? [position] : []));
  if (empty.length > 0) {
    throw new RpcImagesMissingError(field, empty, sent.length);
  }
  const bytes = sent.reduce((sum, image) => sum + image.length, 0);
  if (bytes > limits.maxBytes) {
    throw new RpcImagesTooLargeError(field, bytes, limits.maxBytes);
  }
  return [...sent];
}

/**
 * The image of a request that takes one (singular field `field`), as a
 * batch of one; unset and empty bytes are the same thing in proto3, and
 * both are refused as an empty field.
 */
export function requestImage(image: Buffer | undefined, field: string, maxBytes: number): Buffer[] {
  const sent = image === undefined || image.length === 0 ? [] : [image];
  return requestImages(sent, field, { maxImages: 1, maxBytes });
}

/** The named model, or the default one; fails with MODEL_NOT_FOUND before any job is queued. */
export function requestModel(
  models: ModelRepository,
  name: string | undefined,
  defaultModel: string,
): string {
  const model = name !== undefined && name.length > 0 ? name : defaultModel;
  models.get(model);
  return model;
}
