/** Numerically stable softmax: exp(x - max) / sum exp(x - max). */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i += 1) {
    max = Math.max(max, logits[i] ?? -Infinity);
  }

  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i += 1) {
    const e = Math.exp((logits[i] ?? 0) - max);
    out[i] = e;
    sum += e;
  }

  for (let i = 0; i < out.length; i += 1) {
    out[i] = (out[i] ?? 0) / sum;
  }
  return out;
}

export interface RankedClass {
  readonly index: number;
  readonly value: number;
}

/** The k largest values with their indices, largest first; ties keep the lower index first. */
export function topK(values: ArrayLike<number>, k: number): RankedClass[] {
  const ranked = Array.from({ length: values.length }, (_, index) => ({
    index,
    value: values[index] ?? 0,
  }));
  ranked.sort((a, b) => (b.value === a.value ? a.index - b.index : b.value - a.value));
  return ranked.slice(0, Math.max(0, Math.min(k, ranked.length)));
}
