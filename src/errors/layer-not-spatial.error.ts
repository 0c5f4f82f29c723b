import { DomainError } from './domain-error';

const hasSpatialExtent = (shape: readonly number[]): boolean =>
  shape.length === 4 && (shape[2] ?? 1) * (shape[3] ?? 1) > 1;

/**
 * The named value exists but is not a layer's [N, C, H, W] float activation
 * with more than one position. `what` says what it is instead when its shape
 * alone would not (the model's input, a weight).
 */
export class LayerNotSpatialError extends DomainError {
  readonly code = 'LAYER_NOT_SPATIAL';
  readonly kind = 'unprocessable';

  constructor(
    readonly layer: string,
    readonly shape: readonly number[] | undefined,
    readonly validLayers: readonly string[],
    readonly what?: string,
    readonly parameter = 'layer',
  ) {
    const shown = shape === undefined ? 'of unknown shape' : `of shape [${shape.join(', ')}]`;
    // A map-shaped value is refused for what it is, not for its shape: say so.
    const instead =
      what !== undefined
        ? `, ${what}`
        : shape !== undefined && hasSpatialExtent(shape)
          ? ', which is not a float activation computed by a layer of the model (a model input, a weight or an integer tensor)'
          : '';
    super(
      `parameter "${parameter}": expected the output of a layer of the model with spatial extent (shape [N, C, H, W] with H*W > 1), got "${layer}" ${shown}${instead}; valid layers: ${validLayers.length > 0 ? validLayers.join(', ') : '(none)'}`,
    );
    this.name = 'LayerNotSpatialError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return {
      parameter: this.parameter,
      layer: this.layer,
      shape: this.shape,
      validLayers: this.validLayers,
    };
  }
}
