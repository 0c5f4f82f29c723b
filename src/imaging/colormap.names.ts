import { InvalidParameterError } from '../errors/invalid-parameter.error';

/** Colormaps for values in [0, 1]; jet is the default, as in most Grad-CAM tools. */
export const COLORMAP_NAMES = ['jet', 'turbo', 'viridis', 'inferno', 'magma', 'gray'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

/** Colormaps for signed values in [-1, 1], white (or light grey) at zero. */
export const DIVERGING_COLORMAP_NAMES = ['coolwarm', 'bwr'] as const;
export type DivergingColormapName = (typeof DIVERGING_COLORMAP_NAMES)[number];

export type AnyColormapName = ColormapName | DivergingColormapName;

export const DEFAULT_COLORMAP: ColormapName = 'jet';

export function isDivergingColormap(name: string): name is DivergingColormapName {
  return (DIVERGING_COLORMAP_NAMES as readonly string[]).includes(name);
}

/** Reads a caller's colormap choice; undefined means the default. */
export function parseColormapName(value: unknown, parameter = 'colormap'): AnyColormapName {
  if (value === undefined) {
    return DEFAULT_COLORMAP;
  }
  const all: readonly string[] = [...COLORMAP_NAMES, ...DIVERGING_COLORMAP_NAMES];
  if (typeof value === 'string' && all.includes(value)) {
    return value as AnyColormapName;
  }
  throw new InvalidParameterError(parameter, `one of ${all.join(', ')}`, value);
}
