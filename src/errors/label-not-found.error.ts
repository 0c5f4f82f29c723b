import { quoted, shortened } from './caller-value';
import { DomainError } from './domain-error';

/** Labels as JSON strings, so that a comma inside one ("tench, Tinca tinca") reads as part of it. */
const quotedLabels = (labels: readonly string[]): string =>
  labels.map((l) => JSON.stringify(l)).join(', ');

/** a, b or c */
const alternatives = (items: readonly string[]): string =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}` : (items[0] ?? '');

/** Where a label that was not found stood, and what else it may have meant. */
export interface LabelContext {
  /** The whole value, when the label was one item of a comma-separated list, and its place there (from 1). */
  readonly list?: { readonly value: string; readonly position: number };
  /** A target form the text looks like (topk:3 for top3). */
  readonly form?: string;
}

/**
 * A target label the model does not have. The message says which item of a
 * list it was, and suggests the form it looks like and the closest labels.
 */
export class LabelNotFoundError extends DomainError {
  readonly code = 'LABEL_NOT_FOUND';
  readonly kind = 'not-found';

  constructor(
    readonly label: string,
    readonly labels: readonly string[],
    readonly closest: readonly string[] = [],
    context: LabelContext = {},
  ) {
    const known = labels.length > 0 ? quotedLabels(labels) : 'the model has none';
    const { list, form } = context;
    const where =
      list === undefined
        ? ''
        : ` (item ${list.position} of ${quoted(list.value)}, read as a comma-separated list)`;
    const meant = [...(form === undefined ? [] : [form]), ...closest.map((l) => JSON.stringify(l))];
    const suggestion = meant.length > 0 ? `; did you mean ${alternatives(meant)}?` : '';
    super(
      `parameter "target": expected a class index, top1, topk:N or one of the model's labels (${known}), got ${quoted(label)}${where}${suggestion}`,
    );
    this.name = 'LabelNotFoundError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { label: shortened(this.label), labels: this.labels, closest: this.closest };
  }
}
