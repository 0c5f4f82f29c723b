/** Static shape and ONNX element type of one value, for one input shape. */
export interface ValueFact {
  readonly shape: readonly number[];
  readonly elementType: number;
}

/** Facts for every value of a graph (inputs, initializers, node outputs), by value name. */
export type ValueFacts = ReadonlyMap<string, ValueFact>;
