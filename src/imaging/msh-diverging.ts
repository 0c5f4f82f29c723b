import type { Colour, ColourFunction } from './colormap.functions';

/**
 * Moreland's smooth diverging colormap in the Msh space (K. Moreland, "Diverging Color
 * Maps for Scientific Visualization", ISVC 2009): interpolate magnitude, saturation and
 * hue between two saturated ends through a neutral centre, with the paper's hue spin.
 */

type Triple = readonly [number, number, number];

// CIE D65 reference white
const WHITE: Triple = [0.95047, 1, 1.08883];

const toLinear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toGamma = (c: number): number =>
  c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;

const labF = (t: number): number =>
  t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116;
const labFInverse = (t: number): number =>
  t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27);

function rgbToMsh([r, g, b]: Colour): Triple {
  const [lr, lg, lb] = [r, g, b].map(toLinear);
  const x = 0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb;
  const y = 0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb;
  const z = 0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb;
  const [fx, fy, fz] = [x / WHITE[0], y / WHITE[1], z / WHITE[2]].map(labF);
  const [l, a, bb] = [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];

  const m = Math.hypot(l, a, bb);
  return [m, Math.acos(l / m), Math.atan2(bb, a)];
}

function mshToRgb([m, s, h]: Triple): Colour {
  const [l, a, b] = [m * Math.cos(s), m * Math.sin(s) * Math.cos(h), m * Math.sin(s) * Math.sin(h)];
  const fy = (l + 16) / 116;
  const [x, y, z] = [
    labFInverse(fy + a / 500) * WHITE[0],
    labFInverse(fy) * WHITE[1],
    labFInverse(fy - b / 200) * WHITE[2],
  ];

  const lr = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const lg = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const lb = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  const unit = (c: number): number => Math.min(1, Math.max(0, toGamma(c)));
  return [unit(lr), unit(lg), unit(lb)];
}

/** The paper's hue spin so an unsaturated end does not look too close to grey. */
function adjustHue([m, s, h]: Triple, unsaturatedM: number): number {
  if (m >= unsaturatedM) {
    return h;
  }
  const spin = (s * Math.sqrt(unsaturatedM ** 2 - m ** 2)) / (m * Math.sin(s));
  return h > -Math.PI / 3 ? h + spin : h - spin;
}

function interpolateMsh(start: Triple, end: Triple, t: number): Triple {
  let [m1, s1, h1] = start;
  let [m2, s2, h2] = end;
  let u = t;
  if (s1 > 0.05 && s2 > 0.05 && Math.abs(h1 - h2) > Math.PI / 3) {
    const middle = Math.max(m1, m2, 88);
    if (u < 0.5) {
      [m2, s2, h2, u] = [middle, 0, 0, 2 * u];
    } else {
      [m1, s1, h1, u] = [middle, 0, 0, 2 * u - 1];
    }
  }
  if (s1 < 0.05 && s2 > 0.05) {
    h1 = adjustHue([m2, s2, h2], m1);
  } else if (s2 < 0.05 && s1 > 0.05) {
    h2 = adjustHue([m1, s1, h1], m2);
  }
  return [m1 + (m2 - m1) * u, s1 + (s2 - s1) * u, h1 + (h2 - h1) * u];
}

/** A diverging colormap from two end colours, neutral at t = 0.5. */
export function mshDiverging(low: Colour, high: Colour): ColourFunction {
  const start = rgbToMsh(low);
  const end = rgbToMsh(high);
  return (t) => mshToRgb(interpolateMsh(start, end, t));
}
