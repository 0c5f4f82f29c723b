import type { FastifyRequest } from 'fastify';

import { TooManyImagesError } from '../errors/too-many-images.error';
import { UnsupportedContentTypeError } from '../errors/unsupported-content-type.error';
import { UploadMissingError } from '../errors/upload-missing.error';

export interface Upload {
  readonly images: Buffer[];
  /** Form fields of a multipart request (the first value of each). */
  readonly fields: Record<string, string>;
}

/** Multipart file fields that carry images; `image` may repeat for a batch. */
const IMAGE_FIELDS = new Set(['image', 'images', 'file']);

/**
 * Reads the images of a request: multipart file fields `image` (repeatable),
 * or the raw body sent as image/* or application/octet-stream. Every part is
 * read to its end even when it is refused, so that the connection stays usable
 * and the next request on it is answered normally.
 */
export async function readUpload(request: FastifyRequest, maxImages: number): Promise<Upload> {
  if (request.isMultipart()) {
    return readMultipart(request, maxImages);
  }

  const body = request.body;
  const contentType = request.headers['content-type'];
  if (Buffer.isBuffer(body) && body.length > 0) {
    return { images: [body], fields: {} };
  }
  if (!Buffer.isBuffer(body) && body !== undefined && body !== null && contentType !== undefined) {
    throw new UnsupportedContentTypeError(contentType);
  }
  throw new UploadMissingError(contentType);
}

async function readMultipart(request: FastifyRequest, maxImages: number): Promise<Upload> {
  const images: Buffer[] = [];
  const fields: Record<string, string> = {};
  let imageCount = 0;

  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (IMAGE_FIELDS.has(part.fieldname)) {
        imageCount += 1;
        if (imageCount <= maxImages) {
          images.push(bytes);
        }
      }
      continue;
    }
    if (!(part.fieldname in fields)) {
      fields[part.fieldname] = String(part.value);
    }
  }

  if (imageCount > maxImages) {
    throw new TooManyImagesError(imageCount, maxImages);
  }
  if (images.length === 0 || images.every((image) => image.length === 0)) {
    throw new UploadMissingError(request.headers['content-type']);
  }
  return { images, fields };
}
