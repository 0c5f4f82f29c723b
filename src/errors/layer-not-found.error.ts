import { quoted, shortened } from './caller-value';
import { DomainError } from './domain-error';

export class LayerNotFoundError extends DomainError {
  readonly code = 'LAYER_NOT_FOUND';
  readonly kind = 'not-found';

  constructor(
    readonly layer: string,
    readonly validLayers: readonly string[],
    /** The request parameter that named it (`layer`, or `layers` for a list). */
    readonly parameter = 'layer',
  ) {
    super(
      `parameter "${parameter}": expected a value or node name of the model, got ${quoted(layer)}; valid layers: ${validLayers.join(', ')}`,
    );
    this.name = 'LayerNotFoundError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return {
      parameter: this.parameter,
      layer: shortened(this.layer),
      validLayers: this.validLayers,
    };
  }
}
