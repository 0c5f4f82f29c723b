import { COLOUR_FUNCTIONS, type ColourFunction } from './colormap.functions';
import type { AnyColormapName, ColormapName, DivergingColormapName } from './colormap.names';
import { DEFAULT_COLORMAP, isDivergingColormap } from './colormap.names';
import { DIVERGING_FUNCTIONS } from './diverging.functions';

/** A lookup table of `size` RGB bytes sampling f at i / (size - 1). */
function lookupTable(f: ColourFunction, size: number): Uint8Array {
  const table = new Uint8Array(size * 3);
  for (let i = 0; i < size; i++) {
    const colour = f(i / (size - 1));
    for (let c = 0; c < 3; c++) {
      table[3 * i + c] = Math.round(255 * colour[c]);
    }
  }
  return table;
}

const tables = new Map<string, Uint8Array>();

function cachedTable(name: string, f: ColourFunction, size: number): Uint8Array {
  let table = tables.get(name);
  if (table === undefined) {
    table = lookupTable(f, size);
    tables.set(name, table);
  }
  return table;
}

function paint(values: Float32Array, table: Uint8Array, index: (v: number) => number): Uint8Array {
  const rgb = new Uint8Array(values.length * 3);
  for (let i = 0; i < values.length; i++) {
    const at = 3 * index(values[i]);
    rgb[3 * i] = table[at];
    rgb[3 * i + 1] = table[at + 1];
    rgb[3 * i + 2] = table[at + 2];
  }
  return rgb;
}

const clampIndex = (i: number, last: number): number => (i > 0 ? Math.min(i, last) : 0);

/**
 * Colours values in [0, 1] (clamped; NaN as 0) through a 256-entry table, picking entry
 * floor(v * 256) as matplotlib's Colormap(x) does; RGB interleaved bytes.
 */
export function applyColormap(
  values: Float32Array,
  name: ColormapName = DEFAULT_COLORMAP,
): Uint8Array {
  const table = cachedTable(name, COLOUR_FUNCTIONS[name], 256);
  return paint(values, table, (v) => clampIndex(Math.floor(v * 256), 255));
}

/**
 * Colours signed values in [-1, 1] (clamped; NaN as 0) with zero exactly at the neutral
 * centre: a 257-entry table indexed by round((v + 1) * 128).
 */
export function applyDivergingColormap(
  values: Float32Array,
  name: DivergingColormapName = 'coolwarm',
): Uint8Array {
  const table = cachedTable(name, DIVERGING_FUNCTIONS[name], 257);
  return paint(values, table, (v) =>
    Number.isNaN(v) ? 128 : clampIndex(Math.round((v + 1) * 128), 256),
  );
}

/** Either kind by name: [0, 1] for sequential colormaps, [-1, 1] for diverging ones. */
export function colorize(values: Float32Array, name: AnyColormapName): Uint8Array {
  return isDivergingColormap(name)
    ? applyDivergingColormap(values, name)
    : applyColormap(values, name);
}
