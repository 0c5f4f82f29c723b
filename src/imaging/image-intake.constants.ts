import type { AlphaBackground } from './alpha-background';

/**
 * Formats accepted for upload. SVG and PDF decode in some sharp builds but are refused:
 * they are documents, not photographs, and their renderers follow references and run
 * much more code on untrusted input. HEIF is accepted only with AV1 (AVIF): sharp's
 * prebuilt libheif carries no HEVC decoder.
 */
export const ACCEPTED_IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const;

/**
 * Transparent pixels are composited onto white unless the model's input.background
 * says otherwise: most transparent uploads are cut-outs or logos drawn for a white
 * page, and ImageNet-style models saw objects on light backgrounds far more often than
 * on black (PIL's convert('RGB') would drop alpha and expose whatever colour the hidden
 * pixels hold). A model trained on objects on black (Fashion-MNIST, MNIST) sets black.
 */
export const DEFAULT_ALPHA_BACKGROUND: AlphaBackground = 'white';

/**
 * libvips abort level for damaged pixel data. 'error' rejects truncated files and
 * what decoders report as errors: every damaged PNG (CRC-32 on each chunk, Adler-32
 * on the image data), invalid GIF LZW codes, WebP bitstreams libwebp cannot parse.
 * The stricter 'warning' would also reject benign warnings (a PNG's ancillary chunk
 * with a bad CRC or an odd ICC profile, padding bytes between JPEG segments), so
 * warnings are judged per format by DAMAGED_PIXEL_WARNINGS instead.
 */
export const DECODE_FAIL_ON = 'error';

/**
 * Decoder warnings that mean the pixels themselves are damaged, per format. libjpeg
 * reports damaged entropy-coded data only as warnings ("Corrupt JPEG data: bad
 * Huffman code", "premature end of data segment") and goes on decoding grey or
 * smeared blocks, so those are refused; "N extraneous bytes before marker" is padding
 * between segments that many real-world encoders write and leaves the pixels intact.
 * Other formats' warnings concern metadata only.
 */
export const DAMAGED_PIXEL_WARNINGS: Readonly<Record<string, RegExp>> = {
  jpeg: /Corrupt JPEG data: (?!\d+ extraneous bytes before marker)[^\n]*|Premature end of JPEG file/,
};
