import { selectChannels, type ChannelOrder } from './channel-selection';
import type { ColormapFn } from './colormap.port';
import { upscaleNearest } from './rgb-image';
import type { GridSection, GridTile } from './tile-grid';

/** One layer's activation for one image, laid out [C, H, W] (batch dimension removed). */
export interface FeatureMap {
  readonly layer: string;
  readonly data: Float32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

export interface FeatureMapView {
  readonly order: ChannelOrder;
  readonly limit: number;
  readonly colormap: ColormapFn;
  readonly colormapName: string;
  /** Smallest side a tile is upscaled to (by an integer factor, nearest neighbour). */
  readonly minTileSize: number;
  readonly columns?: number;
}

/**
 * Min-max normalisation of one channel on its own: (x - min) / (max - min);
 * a constant channel maps to 0 so that it reads as "no response".
 */
export function normaliseChannel(
  data: ArrayLike<number>,
  offset: number,
  plane: number,
): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (let p = 0; p < plane; p++) {
    const value = data[offset + p] ?? 0;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }

  const range = max - min;
  const out = new Float32Array(plane);
  for (let p = 0; p < plane; p++) {
    out[p] = range > 0 ? ((data[offset + p] ?? 0) - min) / range : 0;
  }
  return out;
}

/** Integer nearest-neighbour factor that brings the longer side to at least `minSize`. */
export const upscaleFactor = (height: number, width: number, minSize: number): number =>
  Math.max(1, Math.ceil(minSize / Math.max(height, width)));

/** A grid section of the selected channels, each normalised on its own and labelled with its index. */
export function featureMapSection(map: FeatureMap, view: FeatureMapView): GridSection {
  const plane = map.height * map.width;
  const selected = selectChannels(map.data, map.channels, plane, view.order, view.limit);
  const factor = upscaleFactor(map.height, map.width, view.minTileSize);

  const tiles: GridTile[] = selected.map((channel) => {
    const rgb = view.colormap(normaliseChannel(map.data, channel * plane, plane));
    const tile = { width: map.width, height: map.height, data: rgb };
    return { image: upscaleNearest(tile, factor), label: String(channel) };
  });

  const ordering = view.order === 'mean' ? 'by mean activation, highest first' : 'by channel index';
  return {
    title: `${map.layer}  [${map.channels}x${map.height}x${map.width}]`,
    notes: [
      `${selected.length} of ${map.channels} channels, ${ordering}`,
      `each channel scaled to its own min..max, colormap ${view.colormapName}`,
    ],
    tiles,
    labelled: true,
    ...(view.columns === undefined ? {} : { columns: view.columns }),
  };
}
