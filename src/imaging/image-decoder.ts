import { imageSize } from 'image-size';
import sharp, { type Metadata, type OutputInfo } from 'sharp';

import { ImageCorruptError } from '../errors/image-corrupt.error';
import { ImageMissingError } from '../errors/image-missing.error';
import { ImageTooLargeError } from '../errors/image-too-large.error';
import { UnsupportedImageFormatError } from '../errors/unsupported-image-format.error';
import { type AlphaBackground, backgroundRgb } from './alpha-background';
import type { DecodedImage } from './decoded-image';
import {
  ACCEPTED_IMAGE_FORMATS,
  DAMAGED_PIXEL_WARNINGS,
  DECODE_FAIL_ON,
} from './image-intake.constants';
import { sniffMediaType } from './media-type.sniffer';

export interface DecodeLimits {
  /** Largest width x height accepted, checked from the header before any pixel is decoded. */
  readonly maxPixels: number;
}

interface Header {
  readonly format: string;
  readonly uprightWidth: number;
  readonly uprightHeight: number;
  readonly channels: number;
  readonly hasAlpha: boolean;
}

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();

function acceptedName(meta: Metadata): string | undefined {
  if (meta.format === 'heif') {
    return meta.compression === 'av1' ? 'avif' : undefined;
  }
  return (ACCEPTED_IMAGE_FORMATS as readonly string[]).includes(meta.format)
    ? meta.format
    : undefined;
}

const isAccepted = (format: string | undefined): boolean =>
  (ACCEPTED_IMAGE_FORMATS as readonly string[]).includes(format ?? '');

function describeRefused(meta: Metadata): string {
  if (meta.format === 'heif') {
    return `heif with ${meta.compression ?? 'unknown'} compression`;
  }
  return meta.mediaType === undefined ? meta.format : `${meta.format} (${meta.mediaType})`;
}

async function readHeader(bytes: Buffer, limits: DecodeLimits): Promise<Header> {
  let meta: Metadata;
  try {
    // The header alone is read here, so no pixel limit yet: the caller compares the size itself.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    const message = firstLine(error);
    const sniffed = sniffMediaType(bytes);
    // A TIFF cut before its first directory is "unsupported" to libvips, yet it is an accepted format, damaged.
    if (message.includes('unsupported image format') && !isAccepted(sniffed)) {
      throw new UnsupportedImageFormatError(sniffed, ACCEPTED_IMAGE_FORMATS);
    }
    refuseDeclaredOversize(bytes, limits);
    throw new ImageCorruptError(sniffed ?? 'image', message);
  }

  const format = acceptedName(meta);
  if (format === undefined) {
    throw new UnsupportedImageFormatError(describeRefused(meta), ACCEPTED_IMAGE_FORMATS);
  }
  return {
    format,
    uprightWidth: meta.autoOrient.width,
    uprightHeight: meta.autoOrient.height,
    channels: meta.channels,
    hasAlpha: meta.hasAlpha,
  };
}

/**
 * A PNG header that declares more pixels than libspng accepts at all (2147483647
 * x 1) is refused by sharp as corrupt; read by image-size, it is what it is: an
 * image over MAX_IMAGE_PIXELS. PNG only: its size sits in the first chunk at a
 * fixed place, while in a damaged JPEG image-size may take stray bytes for a
 * frame header and find a size the file never declared.
 */
function refuseDeclaredOversize(bytes: Buffer, limits: DecodeLimits): void {
  let declared: { width: number; height: number; type?: string };
  try {
    declared = imageSize(bytes);
  } catch {
    return;
  }
  if (declared.type === 'png' && declared.width * declared.height > limits.maxPixels) {
    throw new ImageTooLargeError(declared.width, declared.height, limits.maxPixels);
  }
}

/** Grey images come out of libvips as one band when no conversion was needed; repeat it. */
function toRgb(data: Uint8Array, channels: number): Uint8Array {
  if (channels === 3) {
    return data;
  }
  const pixels = data.length / channels;
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[i * channels];
  }
  return rgb;
}

/** The first decoder warning that says the pixels are damaged, for formats that report damage as warnings. */
function damageIn(format: string, warnings: readonly string[]): string | undefined {
  const pattern = DAMAGED_PIXEL_WARNINGS[format];
  return pattern === undefined ? undefined : warnings.join('\n').match(pattern)?.[0];
}

async function decodePixels(
  bytes: Buffer,
  header: Header,
  maxPixels: number,
  background: AlphaBackground,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const flattenOnto = backgroundRgb(background);
  const warnings: string[] = [];
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    // Input ICC profiles (CMYK, Display P3, 16-bit) are honoured by libvips when converting to sRGB.
    const pipeline = sharp(bytes, {
      failOn: DECODE_FAIL_ON,
      // sharp wants an integer or false; the header check above already applied the exact limit
      limitInputPixels: Number.isFinite(maxPixels) ? Math.max(1, Math.floor(maxPixels)) : false,
      autoOrient: true,
      pages: 1,
    });
    pipeline.on('warning', (warning: string) => warnings.push(warning));
    decoded = await pipeline
      .flatten({ background: flattenOnto })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageCorruptError(header.format, firstLine(error));
  }

  const damage = damageIn(header.format, warnings);
  if (damage !== undefined) {
    throw new ImageCorruptError(header.format, damage);
  }

  const { data, info } = decoded;
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  return { data: toRgb(pixels, info.channels), width: info.width, height: info.height };
}

/** The header of an upload that decodeUpload would go on to decode: not empty, supported, not oversized. */
async function checkedHeader(bytes: Buffer, limits: DecodeLimits): Promise<Header> {
  if (bytes.length === 0) {
    throw new ImageMissingError();
  }

  const header = await readHeader(bytes, limits);
  if (header.uprightWidth * header.uprightHeight > limits.maxPixels) {
    throw new ImageTooLargeError(header.uprightWidth, header.uprightHeight, limits.maxPixels);
  }
  return header;
}

/**
 * The upright size decodeUpload would give, from the header alone (no pixel
 * decoded), with the same refusals of empty, unsupported and oversized files.
 */
export async function readUploadSize(
  bytes: Buffer,
  limits: DecodeLimits,
): Promise<{ width: number; height: number }> {
  const header = await checkedHeader(bytes, limits);
  return { width: header.uprightWidth, height: header.uprightHeight };
}

/**
 * Decodes an upload to upright 8-bit sRGB, refusing empty, unsupported, oversized
 * (checked from the header, before decoding) and damaged files; transparent pixels
 * are flattened onto `background` (the model's input.background).
 */
export async function decodeUpload(
  bytes: Buffer,
  limits: DecodeLimits,
  background: AlphaBackground,
): Promise<DecodedImage> {
  const header = await checkedHeader(bytes, limits);
  const pixels = await decodePixels(bytes, header, limits.maxPixels, background);
  return {
    ...pixels,
    channels: 3,
    format: header.format,
    sourceChannels: header.channels,
    hadAlpha: header.hasAlpha,
  };
}
