import type { ExplanationInfo } from '../cnn-lens.messages';

export type AnswerFields = Readonly<Record<string, unknown>>;

const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

const numeric = (value: unknown): number => {
  const parsed = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
};

/** Stage timings arrive as `time_<stage>_ms` metadata items, or as a `timings` object of `<stage>_ms`. */
function timings(fields: AnswerFields): Record<string, number> {
  const found: Record<string, number> = {};
  const nested = fields.timings;
  const entries = [
    ...Object.entries(fields),
    ...(typeof nested === 'object' && nested !== null ? Object.entries(nested) : []),
  ];

  for (const [key, value] of entries) {
    const stage = /^(?:time_|timing_)?(.+)_ms$/.exec(key)?.[1];
    if (stage !== undefined && typeof value === 'number') {
      found[stage] = value;
    }
  }
  return found;
}

/**
 * The typed fields of ExplanationInfo, and every scalar item as text; stage
 * timings of a `timings` object become `time_<stage>_ms` attributes, as the
 * metadata of a single binary answer names them.
 */
export function explanationInfo(fields: AnswerFields): ExplanationInfo {
  const attributes: Record<string, string> = {};
  const nested = fields.timings;
  const stageTimes = Object.entries(
    typeof nested === 'object' && nested !== null ? nested : {},
  ).map(([key, value]): [string, unknown] => [`time_${key}`, value]);

  for (const [key, value] of [...Object.entries(fields), ...stageTimes]) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      attributes[key] = String(value);
    }
  }

  return {
    model: text(fields.model),
    layer: text(fields.layer),
    class_index: numeric(fields.class_index),
    label: text(fields.label),
    score: numeric(fields.score),
    method: text(fields.method),
    timings_ms: timings(fields),
    attributes,
  };
}
