import { DomainError } from './domain-error';

/** A CAM method on a model that has no layer with spatial extent at all. */
export class NoSpatialLayerError extends DomainError {
  readonly code = 'NO_SPATIAL_LAYER';
  readonly kind = 'unprocessable';

  constructor(
    readonly model: string,
    readonly method: string,
  ) {
    super(
      `parameter "layer": method ${method} needs a layer with spatial extent ([N, C, H, W], H*W > 1), but model "${model}" has none; use an input-gradient method (saliency, integrated-gradients)`,
    );
    this.name = 'NoSpatialLayerError';
  }
}
