import { DomainError } from './domain-error';

/** A target class index outside the model's classes. */
export class ClassNotFoundError extends DomainError {
  readonly code = 'CLASS_NOT_FOUND';
  readonly kind = 'not-found';

  constructor(
    readonly target: string,
    readonly classCount: number,
  ) {
    super(
      `Parameter target: expected a class index from 0 to ${classCount - 1}, a label, top1 or topk:N, got "${target}"`,
    );
    this.name = 'ClassNotFoundError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { target: this.target, classCount: this.classCount };
  }
}
