/**
 * Indices as short text for a header: runs of consecutive ascending indices
 * as `first-last`, the rest one by one, in the given order: [0, 1, 2, 7, 5] -> "0-2,7,5".
 */
export function formatIndexRuns(indices: readonly number[]): string {
  const parts: string[] = [];
  let start = 0;
  for (let i = 1; i <= indices.length; i++) {
    if (i < indices.length && indices[i] === (indices[i - 1] ?? 0) + 1) {
      continue;
    }
    const first = indices[start] ?? 0;
    const last = indices[i - 1] ?? 0;
    parts.push(first === last ? String(first) : `${first}-${last}`);
    start = i;
  }
  return parts.join(',');
}

/** formatIndexRuns read back: "0-2,7,5" -> [0, 1, 2, 7, 5]; empty text is no index. */
export function parseIndexRuns(text: string): number[] {
  if (text === '') {
    return [];
  }
  return text.split(',').flatMap((part) => {
    const [first = '', last = first] = part.split('-');
    const from = Number(first);
    const to = Number(last);
    return Array.from({ length: to - from + 1 }, (_, k) => from + k);
  });
}
