/** max(0, v) per element, as Grad-CAM applies before normalising; NaN becomes 0. */
export function relu(map: Float32Array): Float32Array {
  return map.map((v) => (v > 0 ? v : 0));
}

function finiteRange(map: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of map) {
    if (Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  return { min, max };
}

/**
 * (v - min) / (max - min) into [0, 1]. A map with no positive value or no spread (all
 * negative, constant, empty, or nothing finite) carries no evidence to show and becomes
 * zeros, never NaN; non-finite elements become 0.
 */
export function minMaxNormalize(map: Float32Array): Float32Array {
  const { min, max } = finiteRange(map);
  const spread = max - min;
  if (!(max > 0) || !(spread > 0) || !Number.isFinite(spread)) {
    return new Float32Array(map.length);
  }
  return map.map((v) => (Number.isFinite(v) ? (v - min) / spread : 0));
}

/**
 * v / max|v| into [-1, 1], keeping zero at zero, for signed maps drawn with a diverging
 * colormap; an all-zero map stays zeros and non-finite elements become 0.
 */
export function maxAbsNormalize(map: Float32Array): Float32Array {
  const { min, max } = finiteRange(map);
  const bound = Math.max(Math.abs(min), Math.abs(max));
  if (!(bound > 0) || !Number.isFinite(bound)) {
    return new Float32Array(map.length);
  }
  return map.map((v) => (Number.isFinite(v) ? v / bound : 0));
}
