import { quoted, shortened } from './caller-value';
import { DomainError } from './domain-error';

/**
 * A target class index outside the model's classes. When the model has a label
 * written as that number, the message says how to name the label instead.
 */
export class ClassNotFoundError extends DomainError {
  readonly code = 'CLASS_NOT_FOUND';
  readonly kind = 'not-found';

  constructor(
    readonly target: string,
    readonly classCount: number,
    readonly sameNamedLabel = false,
  ) {
    const hint = sameNamedLabel
      ? `; for the label ${JSON.stringify(target)} write label:${target}`
      : '';
    super(
      `parameter "target": expected a class index from 0 to ${classCount - 1}, a label, top1 or topk:N, got ${quoted(target)}${hint}`,
    );
    this.name = 'ClassNotFoundError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { target: shortened(this.target), classCount: this.classCount };
  }
}
