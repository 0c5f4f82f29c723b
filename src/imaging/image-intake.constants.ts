/**
 * Formats accepted for upload. SVG and PDF decode in some sharp builds but are refused:
 * they are documents, not photographs, and their renderers follow references and run
 * much more code on untrusted input. HEIF is accepted only with AV1 (AVIF): sharp's
 * prebuilt libheif carries no HEVC decoder.
 */
export const ACCEPTED_IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const;

/**
 * Transparent pixels are composited onto white before the model sees them: most
 * transparent uploads are cut-outs or logos drawn for a white page, and ImageNet-style
 * models saw objects on light backgrounds far more often than on black (PIL's
 * convert('RGB') would drop alpha and expose whatever colour the hidden pixels hold).
 */
export const ALPHA_BACKGROUND = '#ffffff';

/**
 * libvips abort level for damaged pixel data. 'error' rejects truncated and corrupt
 * files; the stricter 'warning' would also reject common benign warnings such as
 * libpng's "known incorrect sRGB profile" found in many web PNGs.
 */
export const DECODE_FAIL_ON = 'error';
