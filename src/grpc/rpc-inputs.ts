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
 * The request's images (field `field`), refused when there are none, more
 * than maxImages, or more bytes in all than maxBytes: the bounds of a REST
 * upload, which GRPC_MAX_MESSAGE_BYTES (the whole message) does not give.
 */
export function requestImages(
  images: readonly Buffer[] | undefined,
  field: string,
  limits: ImageLimits,
): Buffer[] {
  const sent = images ?? [];
  const present = sent.filter((image) => image.length > 0);

  if (present.length === 0) {
    throw new RpcImagesMissingError(field, sent.length);
  }
  if (present.length > limits.maxImages) {
    throw new TooManyImagesError(present.length, limits.maxImages);
  }
  const bytes = present.reduce((sum, image) => sum + image.length, 0);
  if (bytes > limits.maxBytes) {
    throw new RpcImagesTooLargeError(field, bytes, limits.maxBytes);
  }
  return present;
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
