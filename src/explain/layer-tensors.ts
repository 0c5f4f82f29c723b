/** One image's target-layer activation, channel-major: element (k, i, j) at k*height*width + i*width + j. */
export interface LayerActivation {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** A = the layer's activation, [K, h, w]. */
  readonly activation: Float32Array;
}

/** The activation with its gradient. */
export interface LayerTensors extends LayerActivation {
  /** G = dS/dA, [K, h, w]. */
  readonly gradient: Float32Array;
}

/** A map over the h x w positions of a layer (or of the input), row-major. */
export interface SpatialMap {
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}
