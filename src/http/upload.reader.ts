import type { FastifyRequest } from 'fastify';

import { DomainError } from '../errors/domain-error';
import { FieldTooLargeError } from '../errors/field-too-large.error';
import { ImageMissingError } from '../errors/image-missing.error';
import { ImageNotAFileError } from '../errors/image-not-a-file.error';
import { MalformedUploadError } from '../errors/malformed-upload.error';
import { ReservedFieldNameError } from '../errors/reserved-field-name.error';
import { TooManyFieldsError } from '../errors/too-many-fields.error';
import { TooManyImagesError } from '../errors/too-many-images.error';
import { TooManyPartsError } from '../errors/too-many-parts.error';
import { UnexpectedFileFieldError } from '../errors/unexpected-file-field.error';
import { UnsupportedContentEncodingError } from '../errors/unsupported-content-encoding.error';
import { UnsupportedContentTypeError } from '../errors/unsupported-content-type.error';
import { UploadMissingError } from '../errors/upload-missing.error';
import { UploadTooLargeError } from '../errors/upload-too-large.error';
import type { ParameterValue } from './parameter.parser';

export interface Upload {
  readonly images: Buffer[];
  /** Form fields of a multipart request; a field sent more than once has every value, in order. */
  readonly fields: Record<string, ParameterValue>;
}

/**
 * The one multipart file field that carries images, repeated for a batch.
 * `images` and `file` were once read as well, undocumented: a file under any
 * other name is refused (UnexpectedFileFieldError) rather than ignored or
 * added to the batch.
 */
const IMAGE_FIELD = 'image';

/** Text fields a form may carry besides its images (the multipart plugin's `fields` limit). */
export const FORM_FIELD_LIMIT = 50;

/** Longest text field read; a longer one is FIELD_TOO_LARGE, not cut short. */
const FORM_FIELD_BYTES = 64 * 1024;

/** The multipart plugin's limits for one server: bodies of MAX_UPLOAD_BYTES, batches of MAX_BATCH_IMAGES. */
export function multipartLimits(maxUploadBytes: number, maxBatchImages: number) {
  return {
    fileSize: maxUploadBytes,
    // one file more than a batch may hold, so that a batch too large is told apart from one at the limit
    files: maxBatchImages + 1,
    fields: FORM_FIELD_LIMIT,
    fieldSize: FORM_FIELD_BYTES,
    parts: maxBatchImages + 1 + FORM_FIELD_LIMIT,
  };
}

/**
 * Refuses a compressed body (any Content-Encoding but identity). Fastify hands
 * the bytes over as they came, so a gzip body would otherwise be sniffed as a
 * gzip file and refused as an image format, which does not say what to change.
 */
function refuseContentEncoding(header: string | undefined): void {
  const codings = (header ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > 0) {
    throw new UnsupportedContentEncodingError((header ?? '').trim());
  }
}

/**
 * Reads the images of a request: multipart file fields `image` (repeatable),
 * or the raw body sent as image/* or application/octet-stream. Every part is
 * read to its end even when it is refused, so that the connection stays usable
 * and the next request on it is answered normally.
 */
export async function readUpload(request: FastifyRequest, maxImages: number): Promise<Upload> {
  refuseContentEncoding(request.headers['content-encoding']);
  const query = request.query;
  if (typeof query === 'object' && query !== null && IMAGE_FIELD in query) {
    throw new ImageNotAFileError('query parameter');
  }

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

/** The multipart plugin's errors as ours: its limits by our codes and messages, anything else a malformed form. */
function asUploadError(error: unknown, limit: number): unknown {
  if (error instanceof DomainError) {
    return error;
  }
  switch ((error as { code?: unknown }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new UploadTooLargeError(limit);
    case 'FST_FIELDS_LIMIT':
      return new TooManyFieldsError(FORM_FIELD_LIMIT);
    case 'FST_PARTS_LIMIT':
      return new TooManyPartsError(FORM_FIELD_LIMIT);
    case 'FST_PROTO_VIOLATION':
      return new ReservedFieldNameError();
    default:
      return new MalformedUploadError((error as Error).message);
  }
}

async function readMultipart(request: FastifyRequest, maxImages: number): Promise<Upload> {
  const images: Buffer[] = [];
  const fields: Record<string, string[]> = {};
  const limit = request.routeOptions.bodyLimit ?? Number.POSITIVE_INFINITY;
  let imageCount = 0;
  let fileCount = 0;
  let total = 0;
  let misplaced: string | undefined;
  let textImage = false;
  let tooLarge: string | undefined;

  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        fileCount += 1;
        const bytes = await part.toBuffer();
        total += bytes.length;
        if (part.fieldname !== IMAGE_FIELD) {
          misplaced ??= part.fieldname;
          continue;
        }
        imageCount += 1;
        if (imageCount <= maxImages && total <= limit) {
          images.push(bytes);
        }
        continue;
      }
      total += String(part.value).length;
      if (part.valueTruncated) {
        tooLarge ??= part.fieldname;
      }
      if (part.fieldname === IMAGE_FIELD) {
        textImage = true;
        continue;
      }
      // Kept like a repeated query parameter: `-F layer=a -F layer=b` is `?layer=a&layer=b`.
      fields[part.fieldname] = [...(fields[part.fieldname] ?? []), String(part.value)];
    }
  } catch (error) {
    // The plugin stops counting files one past MAX_BATCH_IMAGES: the same mistake as one too many.
    if ((error as { code?: unknown }).code === 'FST_FILES_LIMIT') {
      throw new TooManyImagesError(fileCount + 1, maxImages, true);
    }
    throw asUploadError(error, limit);
  }

  if (total > limit) {
    throw new UploadTooLargeError(limit);
  }
  if (misplaced !== undefined) {
    throw new UnexpectedFileFieldError(misplaced);
  }
  if (tooLarge !== undefined && tooLarge !== IMAGE_FIELD) {
    throw new FieldTooLargeError(tooLarge, FORM_FIELD_BYTES);
  }
  if (textImage) {
    throw new ImageNotAFileError('text field');
  }
  if (imageCount > maxImages) {
    throw new TooManyImagesError(imageCount, maxImages);
  }
  if (images.length === 0) {
    throw new UploadMissingError(request.headers['content-type']);
  }
  // a file field that came empty (curl -F image=@ on a 0-byte file): say so, not that none came
  if (images.every((image) => image.length === 0)) {
    throw new ImageMissingError();
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
