/** mulberry32: a small seeded generator so test inputs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
