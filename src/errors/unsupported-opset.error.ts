import { DomainError } from './domain-error';

/**
 * The model's default-domain opset is too old for the backward graph of one
 * of its operators. cnn-lens never raises a model's opset: forward operators
 * whose schemas changed between opsets would change meaning.
 */
export class UnsupportedOpsetError extends DomainError {
  readonly code = 'UNSUPPORTED_OPSET';
  readonly kind = 'unprocessable';

  constructor(
    readonly opType: string,
    readonly nodeName: string,
    readonly opset: number,
    readonly minimumOpset: number,
    readonly reason: string,
  ) {
    super(
      `Operator ${opType} (node "${nodeName}"): differentiating it needs default-domain opset ${minimumOpset} or newer (${reason}), the model imports opset ${opset}`,
    );
    this.name = 'UnsupportedOpsetError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return {
      opType: this.opType,
      node: this.nodeName,
      opset: this.opset,
      minimumOpset: this.minimumOpset,
    };
  }
}
