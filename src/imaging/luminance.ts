/**
 * Luma of gamma-encoded sRGB by ITU-R BT.601: Y' = 0.299 R' + 0.587 G' + 0.114 B'.
 * The same weights as PIL's convert('L'), torchvision's rgb_to_grayscale and OpenCV's
 * COLOR_RGB2GRAY, which is how grey-input models are usually trained.
 */
export function luma601(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}
