import { DomainError } from './domain-error';

/** A target label the model does not have. */
export class LabelNotFoundError extends DomainError {
  readonly code = 'LABEL_NOT_FOUND';
  readonly kind = 'not-found';

  constructor(
    readonly label: string,
    readonly labels: readonly string[],
  ) {
    super(
      `Parameter target: expected a class index, top1, topk:N or one of the model's labels (${labels.length > 0 ? labels.join(', ') : 'the model has none'}), got "${label}"`,
    );
    this.name = 'LabelNotFoundError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { label: this.label, labels: this.labels };
  }
}
