export type { DecodedImage } from './decoded-image';
export { decodeUpload, type DecodeLimits } from './image-decoder';
export { ACCEPTED_IMAGE_FORMATS, DEFAULT_ALPHA_BACKGROUND } from './image-intake.constants';
export { backgroundRgb, type AlphaBackground } from './alpha-background';
export type { InputSpec } from './input-spec';
export type { InputGeometry, Rect } from './input-geometry';
export { planResize } from './input-geometry';
export { toModelInput, type ModelInput } from './model-input';
export { tensorFromPixels, inputDims } from './pixel-tensor';
export { relu, minMaxNormalize, maxAbsNormalize } from './map-normalize';
export { resizeBilinear } from './resize-bilinear';
export { mapToImage } from './map-to-image';
export {
  COLORMAP_NAMES,
  DIVERGING_COLORMAP_NAMES,
  DEFAULT_COLORMAP,
  parseColormapName,
  type AnyColormapName,
  type ColormapName,
  type DivergingColormapName,
} from './colormap.names';
export { applyColormap, applyDivergingColormap, colorize } from './colormap.apply';
export { renderHeatmapPng, renderOverlayPng, encodeRgbPng } from './heatmap.renderer';
export { DEFAULT_OVERLAY_ALPHA } from './overlay.blend';
export { encodeNpy, decodeNpy, type NpyArray, type NpyTensor } from './npy.codec';
export { tensorToJson, type TensorJson } from './tensor-json.encoder';
