export interface SampleSummary {
  readonly runs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly minMs: number;
  readonly meanMs: number;
}

/** Nearest-rank percentile (p in [0, 100]) of ascending-sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Median, p95 (nearest rank), minimum and mean of latency samples in milliseconds. */
export function summarize(samples: readonly number[]): SampleSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;

  return {
    runs: sorted.length,
    medianMs: median,
    p95Ms: percentile(sorted, 95),
    minMs: sorted[0] ?? Number.NaN,
    meanMs: sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length),
  };
}
