import type { Colour, ColourFunction } from './colormap.functions';
import type { DivergingColormapName } from './colormap.names';
import { mshDiverging } from './msh-diverging';

// Moreland's recommended ends (also matplotlib's coolwarm): blue (59, 76, 192), red (180, 4, 38).
const COOL: Colour = [59 / 255, 76 / 255, 192 / 255];
const WARM: Colour = [180 / 255, 4 / 255, 38 / 255];

/** matplotlib's bwr: blue to white to red, linear in sRGB. */
const bwr: ColourFunction = (t) => (t < 0.5 ? [2 * t, 2 * t, 1] : [1, 2 * (1 - t), 2 * (1 - t)]);

export const DIVERGING_FUNCTIONS: Readonly<Record<DivergingColormapName, ColourFunction>> = {
  coolwarm: mshDiverging(COOL, WARM),
  bwr,
};
