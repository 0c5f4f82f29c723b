import { quoted } from './caller-value';
import { DomainError } from './domain-error';

export class ModelNotFoundError extends DomainError {
  readonly code = 'MODEL_NOT_FOUND';
  readonly kind = 'not-found';

  constructor(
    readonly model: string,
    readonly available: readonly string[],
  ) {
    super(
      `model ${quoted(model)} is not in the model repository; available: ${available.length > 0 ? available.join(', ') : '(none)'}`,
    );
    this.name = 'ModelNotFoundError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { available: this.available };
  }
}
