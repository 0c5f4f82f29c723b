/**
 * The contract between the differentiation driver (differentiate.ts) and the
 * per-operator gradient rules (one file per operator family in this folder).
 *
 * A rule receives one forward node, the names of the gradients flowing into
 * its outputs, and a builder that appends standard ONNX nodes to the backward
 * graph. It returns, for every forward input, the name of that input's
 * gradient, or undefined when the input needs none (b.needsGradient(name) is
 * false) or has no gradient (an integer index, a shape).
 *
 * Opsets: rules write every node for the model's own default-domain opset
 * (b.opset). The augmented model keeps the model's opset_import, because
 * raising it would change the meaning of forward operators whose schemas
 * changed between opsets. Where a rule needs an operator newer than the
 * model (Where and Sign since 9, Expand since 8, MaxPool's Indices output
 * since 8), it builds the same values from older operators; differentiate()
 * refuses models older than opset 7 with UNSUPPORTED_OPSET.
 */

/** An attribute value to emit on a new node; the kind fixes the ONNX attribute type. */
export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string };

export const int = (value: number): AttributeValue => ({ kind: 'int', value });
export const ints = (value: readonly number[]): AttributeValue => ({ kind: 'ints', value });
export const float = (value: number): AttributeValue => ({ kind: 'float', value });
export const floats = (value: readonly number[]): AttributeValue => ({ kind: 'floats', value });
export const str = (value: string): AttributeValue => ({ kind: 'string', value });

/** Read access to a forward node's attributes, with ONNX defaults supplied by the caller. */
export interface AttributeReader {
  has(name: string): boolean;
  int(name: string, fallback: number): number;
  ints(name: string, fallback: readonly number[]): readonly number[];
  float(name: string, fallback: number): number;
  floats(name: string, fallback: readonly number[]): readonly number[];
  string(name: string, fallback: string): string;
}

/** A forward node as rules see it. Empty strings in inputs mark omitted optional inputs. */
export interface ForwardNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: AttributeReader;
}

/** Constant data known at build time: initializers and values folded from constants. */
export type ConstantData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** How ReLU-like nodes pass gradients back (input-gradient methods change this). */
export type ReluRule = 'standard' | 'guided' | 'deconvnet';

export interface BackwardBuilder {
  /** Appends one node and returns the names of its outputs (fresh, unique). */
  node(
    opType: string,
    inputs: readonly string[],
    attributes?: Readonly<Record<string, AttributeValue>>,
    outputCount?: number,
  ): string[];

  /** node(...) for the common single-output case. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes?: Readonly<Record<string, AttributeValue>>,
  ): string;

  /** A 1-D int64 initializer (shapes, axes, starts, pads). */
  int64s(values: readonly number[]): string;

  /** A float32 initializer; a scalar when dims is omitted and one value is given. */
  float32(values: number | readonly number[], dims?: readonly number[]): string;

  /** Static shape of any forward value, for the input shape in use (from the probe run). */
  shape(value: string): readonly number[];

  /** ONNX element type of a forward value (1 = float, 7 = int64, ...; onnx.TensorProto.DataType). */
  elementType(value: string): number;

  /** Data of a value known at build time (an initializer or a Constant's output), else undefined. */
  constant(value: string): ConstantData | undefined;

  /** True when the value lies on a path from a differentiation target to the output. */
  needsGradient(value: string): boolean;

  /**
   * Sums a gradient shaped like `gradientShape` down to `targetShape` under
   * numpy broadcasting (ReduceSum over broadcast axes, then Reshape).
   * Returns the input unchanged when the shapes already match.
   */
  unbroadcast(gradient: string, targetValue: string): string;

  /** ReduceSum in the form the model's opset takes (axes attribute before 13, input after). */
  reduceSum(value: string, axes: readonly number[], keepdims: boolean): string;

  /** Unsqueeze in the form the model's opset takes (axes attribute before 13, input after). */
  unsqueeze(value: string, axes: readonly number[]): string;

  /** Squeeze in the form the model's opset takes (axes attribute before 13, input after). */
  squeeze(value: string, axes: readonly number[]): string;

  /** Zeros shaped like a forward value (for outputs of a multi-output node that get no gradient). */
  zerosLike(value: string): string;

  /**
   * Numpy-broadcasts a value whose shape is known to a static shape: Expand
   * from opset 8, a Tile of the value reshaped to the same rank before.
   */
  broadcastTo(value: string, shape: readonly number[]): string;

  /** ReduceMean in the form the model's opset takes (axes attribute before 18, input after). */
  reduceMean(value: string, axes: readonly number[], keepdims: boolean): string;

  /** Sums a value whose shape is known (shape() answers) down to `targetShape` under broadcasting. */
  sumTo(gradient: string, targetShape: readonly number[]): string;

  /** Reshape to a static shape (skipped when the shape already matches). */
  reshape(value: string, shape: readonly number[]): string;

  /** A constant from a typed array (float32 weights, int64 index tables). */
  tensor(data: ConstantData, dims: readonly number[]): string;

  /** Records the static shape of a new value the builder cannot infer (after Conv, Gemm...); returns it. */
  withShape(value: string, shape: readonly number[]): string;

  readonly reluRule: ReluRule;
  /** The model's default-domain opset (7 or newer); every emitted node must be valid at it. */
  readonly opset: number;
}

/**
 * outputGradients[i] is undefined when nothing downstream of output i needs a
 * gradient (a MaxPool Indices output, an unused Split piece): treat it as zero.
 */
export type GradientRule = (
  node: ForwardNode,
  outputGradients: ReadonlyArray<string | undefined>,
  b: BackwardBuilder,
) => ReadonlyArray<string | undefined>;

/** Operator type to rule; each family file exports one of these and the registry merges them. */
export type GradientRuleTable = Readonly<Record<string, GradientRule>>;
