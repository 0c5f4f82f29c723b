import { DomainError } from './domain-error';

/** method=cam on a layer that is not followed by global average pooling then one linear layer. */
export class CamNotApplicableError extends DomainError {
  readonly code = 'CAM_NOT_APPLICABLE';
  readonly kind = 'unprocessable';

  constructor(
    readonly model: string,
    readonly layer: string,
  ) {
    super(
      `parameter "method": cam needs the layer to be followed by global average pooling then one linear layer producing the scores, but layer "${layer}" of model "${model}" is not; use method=gradcam, which equals CAM on such heads and works on any`,
    );
    this.name = 'CamNotApplicableError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { model: this.model, layer: this.layer };
  }
}
