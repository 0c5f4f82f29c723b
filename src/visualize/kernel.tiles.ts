import type { ColormapFn } from './colormap.port';
import { upscaleNearest, type RgbImage } from './rgb-image';
import type { GridSection } from './tile-grid';

/** A convolution's weight tensor [out, in/group, kh, kw] as stored in the initializer. */
export interface ConvWeights {
  readonly layer: string;
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number, number];
}

export interface KernelView {
  /** Output channels shown (the first ones). */
  readonly outShown: number;
  /** Input channels shown per filter in the (out, in) grid. */
  readonly inShown: number;
  /** Colour tiles for filters over exactly 3 input channels (a first layer on RGB). */
  readonly colour: boolean;
  /** Tensor channel order of a colour input, so that tiles are drawn as RGB. */
  readonly channelOrder: 'RGB' | 'BGR';
  /** Takes w / scale in [-1, 1]. */
  readonly diverging: ColormapFn;
  readonly minTileSize: number;
}

const maxAbs = (data: ArrayLike<number>, from: number, to: number): number => {
  let max = 0;
  for (let i = from; i < to; i++) {
    max = Math.max(max, Math.abs(data[i] ?? 0));
  }
  return max;
};

/** Signed value to [-1, 1]: w / scale (scale = max |w|), clamped. */
export const signedUnit = (value: number, scale: number): number =>
  scale > 0 ? Math.min(1, Math.max(-1, value / scale)) : 0;

/** Signed value to [0, 1] with zero at 0.5: t = 0.5 + 0.5 * w / scale (scale = max |w|). */
export const centred = (value: number, scale: number): number =>
  scale > 0 ? Math.min(1, Math.max(0, 0.5 + (0.5 * value) / scale)) : 0.5;

/**
 * The kernels as a grid: one colour tile per filter (3 input channels), one
 * labelled diverging tile per filter (1 input channel), or one diverging tile
 * per (output, input) pair with rows = outputs and columns = inputs.
 */
export function kernelSection(weights: ConvWeights, view: KernelView): GridSection {
  const [outChannels, inChannels, kh, kw] = weights.dims;
  const factor = Math.max(1, Math.ceil(view.minTileSize / Math.max(kh, kw)));
  const title = `${weights.layer}  [${outChannels}x${inChannels}x${kh}x${kw}]`;
  const enlarge = (tile: RgbImage): RgbImage => upscaleNearest(tile, factor);

  if (view.colour) {
    return {
      title,
      notes: [
        `${view.outShown} of ${outChannels} filters drawn as RGB (input channels as colours)`,
        'each filter scaled by its own max |w|; mid grey = 0',
      ],
      tiles: colourTiles(weights, view).map((tile, o) => ({
        image: enlarge(tile),
        label: String(o),
      })),
      labelled: true,
    };
  }

  const scale = shownMaxAbs(weights, view);
  const colours = `blue < 0 < red (coolwarm), full colour at |w| = ${scale.toPrecision(3)}`;
  const tiles = pairTiles(weights, view, scale).map(enlarge);
  if (view.inShown === 1) {
    return {
      title,
      notes: [`${view.outShown} of ${outChannels} filters (one input channel)`, colours],
      tiles: tiles.map((image, o) => ({ image, label: String(o) })),
      labelled: true,
    };
  }
  return {
    title,
    notes: [
      `rows: output channels 0..${view.outShown - 1} of ${outChannels}; columns: inputs 0..${view.inShown - 1} of ${inChannels}`,
      colours,
    ],
    tiles: tiles.map((image) => ({ image, label: '' })),
    columns: view.inShown,
    labelled: false,
  };
}

/** Largest |w| over the shown pairs, so that all tiles share one zero-centred scale and compare. */
export function shownMaxAbs(
  weights: ConvWeights,
  view: Pick<KernelView, 'outShown' | 'inShown'>,
): number {
  const [, inChannels, kh, kw] = weights.dims;
  const area = kh * kw;
  let max = 0;
  for (let o = 0; o < view.outShown; o++) {
    for (let i = 0; i < view.inShown; i++) {
      const from = (o * inChannels + i) * area;
      max = Math.max(max, maxAbs(weights.data, from, from + area));
    }
  }
  return max;
}

function pairTiles(weights: ConvWeights, view: KernelView, scale: number): RgbImage[] {
  const [, inChannels, kh, kw] = weights.dims;
  const area = kh * kw;
  const tiles: RgbImage[] = [];

  for (let o = 0; o < view.outShown; o++) {
    for (let i = 0; i < view.inShown; i++) {
      const from = (o * inChannels + i) * area;
      const values = weights.data.subarray(from, from + area).map((w) => signedUnit(w, scale));
      tiles.push({ width: kw, height: kh, data: view.diverging(values) });
    }
  }
  return tiles;
}

function colourTiles(weights: ConvWeights, view: KernelView): RgbImage[] {
  const [, inChannels, kh, kw] = weights.dims;
  const area = kh * kw;
  const sourceOf = view.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const tiles: RgbImage[] = [];

  for (let o = 0; o < view.outShown; o++) {
    const base = o * inChannels * area;
    const scale = maxAbs(weights.data, base, base + inChannels * area);
    const data = new Uint8Array(area * 3);
    for (let p = 0; p < area; p++) {
      for (let rgb = 0; rgb < 3; rgb++) {
        const channel = sourceOf[rgb] ?? rgb;
        data[3 * p + rgb] = Math.round(
          255 * centred(weights.data[base + channel * area + p] ?? 0, scale),
        );
      }
    }
    tiles.push({ width: kw, height: kh, data });
  }
  return tiles;
}
