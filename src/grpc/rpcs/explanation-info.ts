import type { ExplanationInfo } from '../cnn-lens.messages';

type Metadata = Readonly<Record<string, string | number>>;

const text = (value: string | number | undefined): string =>
  value === undefined ? '' : String(value);

const numeric = (value: string | number | undefined): number => {
  const parsed = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
};

/** Stage timings arrive as `<stage>_ms` or `timing_<stage>` metadata items. */
function timings(metadata: Metadata): Record<string, number> {
  const found: Record<string, number> = {};

  for (const [key, value] of Object.entries(metadata)) {
    const stage =
      /^(?:timings?[_-])?(.+?)(?:[_-]ms)$/.exec(key)?.[1] ?? /^timings?[_-](.+)$/.exec(key)?.[1];
    if (stage !== undefined) {
      found[stage] = numeric(value);
    }
  }
  return found;
}

/** The typed fields of ExplanationInfo, and every metadata item as text. */
export function explanationInfo(metadata: Metadata): ExplanationInfo {
  const pick = (...keys: string[]) =>
    keys.map((key) => metadata[key]).find((value) => value !== undefined);

  return {
    model: text(pick('model')),
    layer: text(pick('layer')),
    class_index: numeric(pick('class_index', 'classIndex', 'target')),
    label: text(pick('label', 'class_label')),
    score: numeric(pick('score')),
    method: text(pick('method')),
    timings_ms: timings(metadata),
    attributes: Object.fromEntries(
      Object.entries(metadata).map(([key, value]) => [key, String(value)]),
    ),
  };
}
