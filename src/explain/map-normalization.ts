import type { SpatialMap } from './layer-tensors';

/**
 * ReLU then min-max to [0, 1], as docs/methods.md fixes for every map; a
 * constant (or all-negative) map becomes zeros, never NaN.
 */
export function reluMinMax(map: SpatialMap): SpatialMap {
  const data = map.data;
  let min = Infinity;
  let max = -Infinity;
  for (const raw of data) {
    const v = raw > 0 ? raw : 0;
    min = v < min ? v : min;
    max = v > max ? v : max;
  }

  const range = max - min;
  const out = new Float32Array(data.length);
  if (!(range > 0) || !Number.isFinite(range)) {
    return { height: map.height, width: map.width, data: out };
  }
  for (let i = 0; i < data.length; i += 1) {
    const v = data[i] ?? 0;
    out[i] = ((v > 0 ? v : 0) - min) / range;
  }
  return { height: map.height, width: map.width, data: out };
}
