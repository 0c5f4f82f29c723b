/** How many labels a LABEL_NOT_FOUND message suggests at most. */
const MAX_SUGGESTIONS = 3;

/** Longer names are not compared: the cost grows with the product of the lengths. */
const MAX_COMPARED_LENGTH = 100;

/**
 * Edit distance with adjacent transpositions (optimal string alignment): an
 * insertion, deletion, substitution or swap of two neighbours costs 1, so
 * "dgo" is 1 from "dog".
 */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];

  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const above = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j - 1] ?? 0) + cost, (above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The names a label answers to: itself and, for an ImageNet-style label such
 * as "tench, Tinca tinca", each of its comma-separated synonyms, lower-cased.
 */
function namesOf(label: string): string[] {
  const lower = label.toLowerCase();
  const synonyms = lower.split(',').map((name) => name.trim());
  return [lower, ...synonyms.filter((name) => name.length > 0 && synonyms.length > 1)];
}

/**
 * The labels closest to a name that is not one of them, best first: those within
 * an edit distance of a third of the name's length (at least 1) of the label or
 * one of its comma-separated synonyms, ignoring case.
 */
export function closestLabels(name: string, labels: readonly string[]): string[] {
  const asked = name.trim().toLowerCase();
  if (asked.length === 0 || asked.length > MAX_COMPARED_LENGTH) {
    return [];
  }
  const allowed = Math.max(1, Math.floor(asked.length / 3));

  const scored = labels.flatMap((label, index) => {
    const distances = namesOf(label)
      .filter((candidate) => Math.abs(candidate.length - asked.length) <= allowed)
      .map((candidate) => editDistance(asked, candidate));
    const distance = Math.min(...distances);
    return distance <= allowed ? [{ label, index, distance }] : [];
  });

  return scored
    .sort((a, b) => (a.distance === b.distance ? a.index - b.index : a.distance - b.distance))
    .map(({ label }) => label)
    .filter((label, i, all) => all.indexOf(label) === i)
    .slice(0, MAX_SUGGESTIONS);
}
