export type ChannelOrder = 'index' | 'mean';

/** Mean of every channel of a [C, plane] block: mean_c = sum_p x[c, p] / plane. */
export function channelMeans(
  data: ArrayLike<number>,
  channels: number,
  plane: number,
): Float64Array {
  const means = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let p = 0; p < plane; p++) {
      sum += data[c * plane + p] ?? 0;
    }
    means[c] = sum / plane;
  }
  return means;
}

/**
 * The channels to show: the first `limit` by index, or the `limit` with the
 * highest mean activation, highest first (ties keep the lower index first).
 */
export function selectChannels(
  data: ArrayLike<number>,
  channels: number,
  plane: number,
  order: ChannelOrder,
  limit: number,
): number[] {
  const indices = Array.from({ length: channels }, (_, c) => c);
  if (order === 'mean') {
    const means = channelMeans(data, channels, plane);
    indices.sort((a, b) => (means[b] === means[a] ? a - b : means[b] - means[a]));
  }
  return indices.slice(0, Math.max(0, limit));
}
