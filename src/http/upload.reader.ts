import type { FastifyRequest } from 'fastify';

import { DomainError } from '../errors/domain-error';
import { MalformedUploadError } from '../errors/malformed-upload.error';
import { TooManyImagesError } from '../errors/too-many-images.error';
import { UnsupportedContentTypeError } from '../errors/unsupported-content-type.error';
import { UploadMissingError } from '../errors/upload-missing.error';
import { UploadTooLargeError } from '../errors/upload-too-large.error';
import type { ParameterValue } from './parameter.parser';

export interface Upload {
  readonly images: Buffer[];
  /** Form fields of a multipart request; a field sent more than once has every value, in order. */
  readonly fields: Record<string, ParameterValue>;
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

/** Errors of the multipart plugin that already say what the caller did wrong (sizes, counts). */
const PLUGIN_LIMIT_CODES = new Set([
  'FST_REQ_FILE_TOO_LARGE',
  'FST_FIELDS_LIMIT',
  'FST_PARTS_LIMIT',
]);

function asUploadError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (error instanceof DomainError || (typeof code === 'string' && PLUGIN_LIMIT_CODES.has(code))) {
    return error;
  }
  return new MalformedUploadError((error as Error).message);
}

async function readMultipart(request: FastifyRequest, maxImages: number): Promise<Upload> {
  const images: Buffer[] = [];
  const fields: Record<string, string[]> = {};
  const limit = request.routeOptions.bodyLimit ?? Number.POSITIVE_INFINITY;
  let imageCount = 0;
  let fileCount = 0;
  let total = 0;

  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        fileCount += 1;
        const bytes = await part.toBuffer();
        total += bytes.length;
        if (IMAGE_FIELDS.has(part.fieldname)) {
          imageCount += 1;
          if (imageCount <= maxImages && total <= limit) {
            images.push(bytes);
          }
        }
        continue;
      }
      total += String(part.value).length;
      // Kept like a repeated query parameter: `-F layer=a -F layer=b` is `?layer=a&layer=b`.
      fields[part.fieldname] = [...(fields[part.fieldname] ?? []), String(part.value)];
    }
  } catch (error) {
    // The plugin stops counting files one past MAX_BATCH_IMAGES: the same mistake as one too many.
    if ((error as { code?: unknown }).code === 'FST_FILES_LIMIT') {
      throw new TooManyImagesError(fileCount + 1, maxImages, true);
    }
    throw asUploadError(error);
  }

  if (total > limit) {
    throw new UploadTooLargeError(limit);
  }
  if (imageCount > maxImages) {
    throw new TooManyImagesError(imageCount, maxImages);
  }
  if (images.length === 0 || images.every((image) => image.length === 0)) {
    throw new UploadMissingError(request.headers['content-type']);
  }
  return { images, fields: singleValuesAsText(fields) };
}

/** A field sent once is its text, as a query parameter given once is. */
function singleValuesAsText(fields: Record<string, string[]>): Record<string, ParameterValue> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, values]) => [
      name,
      values.length === 1 ? (values[0] ?? '') : values,
    ]),
  );
}
