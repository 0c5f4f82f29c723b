import inferno from 'scale-color-perceptual/rgb/inferno.json';
import magma from 'scale-color-perceptual/rgb/magma.json';
import viridis from 'scale-color-perceptual/rgb/viridis.json';

import type { ColormapName } from './colormap.names';

/** A colour as red, green, blue in [0, 1]. */
export type Colour = readonly [number, number, number];

/** A colormap as a function of t in [0, 1]. */
export type ColourFunction = (t: number) => Colour;

type Segments = readonly (readonly [number, number])[];

/** Piecewise-linear interpolation through (x, y) anchors, as matplotlib's segment data. */
function piecewise(anchors: Segments, t: number): number {
  for (let i = 1; i < anchors.length; i++) {
    const [x1, y1] = anchors[i];
    if (t <= x1) {
      const [x0, y0] = anchors[i - 1];
      return y0 + ((t - x0) * (y1 - y0)) / (x1 - x0);
    }
  }
  return anchors[anchors.length - 1][1];
}

// matplotlib's _jet_data; OpenCV's COLORMAP_JET follows the same anchors.
const JET_RED: Segments = [
  [0, 0],
  [0.35, 0],
  [0.66, 1],
  [0.89, 1],
  [1, 0.5],
];
const JET_GREEN: Segments = [
  [0, 0],
  [0.125, 0],
  [0.375, 1],
  [0.64, 1],
  [0.91, 0],
  [1, 0],
];
const JET_BLUE: Segments = [
  [0, 0.5],
  [0.11, 1],
  [0.34, 1],
  [0.65, 0],
  [1, 0],
];

const jet: ColourFunction = (t) => [
  piecewise(JET_RED, t),
  piecewise(JET_GREEN, t),
  piecewise(JET_BLUE, t),
];

const polynomial = (c: readonly number[], t: number): number =>
  c.reduceRight((acc, coefficient) => acc * t + coefficient, 0);

// Turbo (Mikhailov, Google 2019) by its published degree-5 polynomial fit, as d3 draws it;
// close to the 256-entry table in the middle, it differs by up to ~30 units at the two ends.
const TURBO_R = [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943];
const TURBO_G = [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604];
const TURBO_B = [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973];

const unit = (v: number): number => Math.min(1, Math.max(0, v));

const turbo: ColourFunction = (t) => [
  unit(polynomial(TURBO_R, t)),
  unit(polynomial(TURBO_G, t)),
  unit(polynomial(TURBO_B, t)),
];

/** matplotlib's listed colormaps (256 entries, from scale-color-perceptual). */
function listed(table: readonly (readonly number[])[]): ColourFunction {
  return (t) => {
    const [r, g, b] = table[Math.min(table.length - 1, Math.round(t * (table.length - 1)))];
    return [r, g, b];
  };
}

const gray: ColourFunction = (t) => [t, t, t];

export const COLOUR_FUNCTIONS: Readonly<Record<ColormapName, ColourFunction>> = {
  jet,
  turbo,
  viridis: listed(viridis),
  inferno: listed(inferno),
  magma: listed(magma),
  gray,
};
