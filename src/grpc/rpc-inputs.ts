import { TooManyImagesError } from '../errors/too-many-images.error';
import { UploadMissingError } from '../errors/upload-missing.error';
import type { ModelRepository } from '../models/model-repository';

/** The request's images, refused when there are none or more than MAX_BATCH_IMAGES. */
export function requestImages(images: readonly Buffer[] | undefined, maxImages: number): Buffer[] {
  const present = (images ?? []).filter((image) => image.length > 0);

  if (present.length === 0) {
    throw new UploadMissingError('application/grpc (field "images" is empty)');
  }
  if (present.length > maxImages) {
    throw new TooManyImagesError(present.length, maxImages);
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
