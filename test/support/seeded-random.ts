import { seededUniform } from '../../src/explain/seeded-uniform';

/** mulberry32, the generator SmoothGrad uses, so test inputs are the same on every run. */
export const seededRandom = seededUniform;

/**
 * `count` values in [-1, 1] with no two closer than 1/count: a shuffled even
 * grid plus a little jitter. Finite differences then never step across a
 * tie (max pooling) when the step is well below 1/count.
 */
export function separatedValues(count: number, random: () => number): Float32Array {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const spacing = 2 / count;
  return Float32Array.from(order, (k) => -1 + spacing * (k + 0.25 + 0.5 * random()));
}
