import { DomainError } from './domain-error';

/** The model is in the repository but could not be loaded; the reason says what is wrong with it. */
export class ModelUnavailableError extends DomainError {
  readonly code = 'MODEL_UNAVAILABLE';
  readonly kind = 'unavailable';

  constructor(
    readonly model: string,
    readonly reason: string,
  ) {
    super(`model "${model}" could not be loaded: ${reason}`);
    this.name = 'ModelUnavailableError';
  }

  override get retryable(): boolean {
    return false;
  }
}
