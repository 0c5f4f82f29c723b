/** Summary and equal-width histogram of one tensor's values. */
export interface WeightHistogram {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation: sqrt(sum (x - mean)^2 / n). */
  readonly std: number;
  /** bins + 1 increasing edges; bin i holds edges[i] <= x < edges[i+1], the last bin also x = max. */
  readonly binEdges: number[];
  readonly counts: number[];
}

/**
 * Equal-width bins over [min, max] as numpy.histogram draws them (the last bin
 * closed); a constant tensor gets the range [v - 0.5, v + 0.5], as numpy does.
 */
export function weightHistogram(values: ArrayLike<number>, bins: number): WeightHistogram {
  if (values.length === 0) {
    throw new RangeError('weightHistogram: the tensor has no values');
  }
  const { min, max, mean, std } = summary(values);
  const low = min === max ? min - 0.5 : min;
  const high = min === max ? max + 0.5 : max;
  const width = (high - low) / bins;

  const binEdges = Array.from({ length: bins + 1 }, (_, i) =>
    i === bins ? high : low + i * width,
  );
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const bin = Math.min(bins - 1, Math.floor(((values[i] ?? 0) - low) / width));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { count: values.length, min, max, mean, std, binEdges, counts };
}

function summary(values: ArrayLike<number>): {
  min: number;
  max: number;
  mean: number;
  std: number;
} {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? 0;
    min = Math.min(min, value);
    max = Math.max(max, value);
    sum += value;
  }

  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    squares += ((values[i] ?? 0) - mean) ** 2;
  }
  return { min, max, mean, std: Math.sqrt(squares / values.length) };
}
