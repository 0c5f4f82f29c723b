import { DomainError } from './domain-error';

export type ModelLoadProblem =
  | 'MODEL_FILE_MISSING'
  | 'MODEL_NOT_ONNX'
  | 'MODEL_EXTERNAL_DATA_MISSING'
  | 'MODEL_SPEC_INVALID'
  | 'MODEL_LABELS_MISSING'
  /** Anything else that went wrong after onnxruntime opened the file; the message has the cause. */
  | 'MODEL_LOAD_FAILED';

/** Why one model of the repository failed to load; the others keep serving. */
export class ModelLoadError extends DomainError {
  readonly kind = 'unavailable';

  constructor(
    readonly code: ModelLoadProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }

  override get retryable(): boolean {
    return false;
  }
}
