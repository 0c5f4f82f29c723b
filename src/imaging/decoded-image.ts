/** An upload after decoding: upright, 8-bit sRGB, 3 channels interleaved (RGBRGB...). */
export interface DecodedImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
  /** The container format as sharp names it: jpeg, png, webp, gif, tiff, heif. */
  readonly format: string;
  /** Bands in the file before conversion: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK. */
  readonly sourceChannels: number;
  readonly hadAlpha: boolean;
}
