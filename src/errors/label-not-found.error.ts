import { DomainError } from './domain-error';

/** Labels as JSON strings, so that a comma inside one ("tench, Tinca tinca") reads as part of it. */
const quoted = (labels: readonly string[]): string =>
  labels.map((l) => JSON.stringify(l)).join(', ');

/** "a", "b" or "c" */
const alternatives = (labels: readonly string[]): string =>
  labels.length > 1
    ? `${quoted(labels.slice(0, -1))} or ${quoted(labels.slice(-1))}`
    : quoted(labels);

/** A target label the model does not have; the closest labels, when some are near, are suggested. */
export class LabelNotFoundError extends DomainError {
  readonly code = 'LABEL_NOT_FOUND';
  readonly kind = 'not-found';

  constructor(
    readonly label: string,
    readonly labels: readonly string[],
    readonly closest: readonly string[] = [],
  ) {
    const known = labels.length > 0 ? quoted(labels) : 'the model has none';
    const suggestion = closest.length > 0 ? `; did you mean ${alternatives(closest)}?` : '';
    super(
      `parameter "target": expected a class index, top1, topk:N or one of the model's labels (${known}), got ${JSON.stringify(label)}${suggestion}`,
    );
    this.name = 'LabelNotFoundError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { label: this.label, labels: this.labels, closest: this.closest };
  }
}
