import { InvalidInputSpecError } from '../errors/invalid-input-spec.error';

/** The colour transparent pixels are flattened onto: white, black or a CSS "#rrggbb" colour. */
export type AlphaBackground = 'white' | 'black' | `#${string}`;

/** What a background may be, as messages about a wrong one say it. */
export const ALPHA_BACKGROUND_EXPECTED = '"white", "black" or a "#rrggbb" hex colour';

export interface BackgroundRgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

const HEX_COLOUR = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;

/**
 * The 8-bit sRGB colour of a background.
 * @throws InvalidInputSpecError for a "#" colour that is not six hex digits (model.json's schema refuses it first)
 */
export function backgroundRgb(background: AlphaBackground): BackgroundRgb {
  if (background === 'white') {
    return { r: 255, g: 255, b: 255 };
  }
  if (background === 'black') {
    return { r: 0, g: 0, b: 0 };
  }

  const digits = HEX_COLOUR.exec(background);
  if (digits === null) {
    throw new InvalidInputSpecError('background', ALPHA_BACKGROUND_EXPECTED, background);
  }
  const [r, g, b] = digits.slice(1).map((pair) => parseInt(pair, 16));
  return { r, g, b };
}
