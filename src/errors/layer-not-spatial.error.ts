import { DomainError } from './domain-error';

/** The named layer exists but is not a [N, C, H, W] float map with more than one position. */
export class LayerNotSpatialError extends DomainError {
  readonly code = 'LAYER_NOT_SPATIAL';
  readonly kind = 'unprocessable';

  constructor(
    readonly layer: string,
    readonly shape: readonly number[] | undefined,
    readonly validLayers: readonly string[],
  ) {
    super(
      `Parameter layer: expected a layer with spatial extent (shape [N, C, H, W] with H*W > 1), got "${layer}" of shape ${shape === undefined ? 'unknown' : `[${shape.join(', ')}]`}; valid layers: ${validLayers.length > 0 ? validLayers.join(', ') : '(none)'}`,
    );
    this.name = 'LayerNotSpatialError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { layer: this.layer, shape: this.shape, validLayers: this.validLayers };
  }
}
