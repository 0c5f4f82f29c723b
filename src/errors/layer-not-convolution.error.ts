import { DomainError } from './domain-error';

/** Kernels were asked of a layer that exists but is not a convolution. */
export class LayerNotConvolutionError extends DomainError {
  readonly code = 'LAYER_NOT_CONVOLUTION';
  readonly kind = 'invalid-argument';

  constructor(
    readonly layer: string,
    readonly opType: string,
    readonly convolutionLayers: readonly string[],
  ) {
    super(
      `parameter "layer": expected a convolution (Conv) layer, got "${layer}" which is a ${opType}; convolution layers: ${convolutionLayers.join(', ')}`,
    );
    this.name = 'LayerNotConvolutionError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { layer: this.layer, opType: this.opType, validLayers: this.convolutionLayers };
  }
}
