import type { ConstantData } from './autodiff/gradient-rule';

/** Static shape and ONNX element type of one value, for one input shape. */
export interface ValueFact {
  readonly shape: readonly number[];
  readonly elementType: number;
  /**
   * The value's content in the probe run, kept for small tensors. It is a
   * build-time constant only for values computed from shapes and constants
   * (see shapeDerivedValues); the probe ran on zeros, so never read it otherwise.
   */
  readonly data?: ConstantData;
}

/** Facts for every value of a graph (inputs, initializers, node outputs), by value name. */
export type ValueFacts = ReadonlyMap<string, ValueFact>;
