import { makeNode } from '../onnx.factory';
import type { GraphView } from '../graph.view';
import { DataType, type NodeProto, type TensorProto } from '../onnx.types';
import { makeTensor } from '../tensor.data';
import type { ValueFacts } from '../value-facts';
import type { AttributeValue, BackwardBuilder, ConstantData, ReluRule } from './gradient-rule';
import { inferOutputShape } from './shape-inference';

type Attributes = Readonly<Record<string, AttributeValue>>;

export interface BackwardBuilderContext {
  readonly view: GraphView;
  readonly facts: ValueFacts;
  readonly opset: number;
  readonly reluRule: ReluRule;
  readonly needsGradient: (value: string) => boolean;
  /** Every name already used by the model, so new names never collide. */
  readonly usedNames: Set<string>;
  /** Values fixed by the input shape (shapeDerivedValues): their probed data is a constant. */
  readonly shapeDerived: ReadonlySet<string>;
}

/**
 * Collects the nodes and initializers of the backward graph. Beyond the rule
 * contract it tracks the shapes of the values it creates (shape() answers for
 * them too) and offers reduceMean, sumTo and withShape.
 */
export class GraphBackwardBuilder implements BackwardBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly reluRule: ReluRule;
  readonly opset: number;

  private readonly shapes = new Map<string, readonly number[]>();
  private readonly constants = new Map<string, ConstantData>();
  private readonly constantCache = new Map<string, string>();
  private counter = 0;

  constructor(private readonly context: BackwardBuilderContext) {
    this.reluRule = context.reluRule;
    this.opset = context.opset;
  }

  node(
    opType: string,
    inputs: readonly string[],
    attributes: Attributes = {},
    outputCount = 1,
  ): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(`${opType}_grad`));
    this.nodes.push(
      makeNode(opType, inputs, outputs, this.fresh(`cnnlens_backward_${opType}`), attributes),
    );

    const read = (name: string): AttributeValue | undefined => attributes[name];
    const shape = inferOutputShape(
      {
        opType,
        inputs,
        ints: (name) => {
          const a = read(name);
          return a?.kind === 'ints' ? a.value : undefined;
        },
        int: (name) => {
          const a = read(name);
          return a?.kind === 'int' ? a.value : undefined;
        },
      },
      { shape: (v) => this.knownShape(v), ints: (v) => this.intsOf(v) },
    );
    if (shape !== undefined && outputs[0] !== undefined) {
      this.shapes.set(outputs[0], shape);
    }
    return outputs;
  }

  op(opType: string, inputs: readonly string[], attributes?: Attributes): string {
    return this.node(opType, inputs, attributes, 1)[0] ?? '';
  }

  int64s(values: readonly number[]): string {
    return this.addConstant(BigInt64Array.from(values.map((v) => BigInt(v))), [values.length]);
  }

  float32(values: number | readonly number[], dims?: readonly number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    const shape = dims ?? (typeof values === 'number' ? [] : [list.length]);
    return this.addConstant(Float32Array.from(list), shape);
  }

  /** A constant from a typed array (float32 weights, int64 index tables). */
  tensor(data: ConstantData, dims: readonly number[]): string {
    return this.addConstant(data, dims);
  }

  shape(value: string): readonly number[] {
    const shape = this.knownShape(value);
    if (shape === undefined) {
      throw new Error(
        `BackwardBuilder.shape: the shape of "${value}" is not known; declare it with withShape()`,
      );
    }
    return shape;
  }

  elementType(value: string): number {
    return (
      this.context.facts.get(value)?.elementType ??
      (this.constants.get(value) instanceof BigInt64Array ? DataType.INT64 : DataType.FLOAT)
    );
  }

  constant(value: string): ConstantData | undefined {
    const known = this.constants.get(value) ?? this.context.view.constant(value);
    if (known !== undefined || !this.context.shapeDerived.has(value)) {
      return known;
    }
    return this.context.facts.get(value)?.data;
  }

  needsGradient(value: string): boolean {
    return this.context.needsGradient(value);
  }

  unbroadcast(gradient: string, targetValue: string): string {
    return this.sumTo(gradient, this.shape(targetValue));
  }

  /** Sums `gradient` (whose shape the builder knows) down to `targetShape` under numpy broadcasting. */
  sumTo(gradient: string, targetShape: readonly number[]): string {
    const from = this.shape(gradient);
    if (sameShape(from, targetShape)) {
      return gradient;
    }
    const lead = from.length - targetShape.length;
    const axes = from.flatMap((d, i) =>
      i < lead || (targetShape[i - lead] === 1 && d !== 1) ? [i] : [],
    );
    const summed = axes.length === 0 ? gradient : this.reduceSum(gradient, axes, true);
    return this.reshape(summed, targetShape);
  }

  /** Reshape to a static shape, skipped when the shape already matches. */
  reshape(value: string, shape: readonly number[]): string {
    const known = this.knownShape(value);
    if (known !== undefined && sameShape(known, shape)) {
      return value;
    }
    return this.withShape(this.op('Reshape', [value, this.int64s(shape)]), shape);
  }

  reduceSum(value: string, axes: readonly number[], keepdims: boolean): string {
    return this.reduce('ReduceSum', 13, value, axes, keepdims);
  }

  /** ReduceMean in the form the model's opset takes (axes attribute before 18, input after). */
  reduceMean(value: string, axes: readonly number[], keepdims: boolean): string {
    return this.reduce('ReduceMean', 18, value, axes, keepdims);
  }

  unsqueeze(value: string, axes: readonly number[]): string {
    return this.opset >= 13
      ? this.op('Unsqueeze', [value, this.int64s(axes)])
      : this.op('Unsqueeze', [value], { axes: { kind: 'ints', value: axes } });
  }

  squeeze(value: string, axes: readonly number[]): string {
    return this.opset >= 13
      ? this.op('Squeeze', [value, this.int64s(axes)])
      : this.op('Squeeze', [value], { axes: { kind: 'ints', value: axes } });
  }

  zerosLike(value: string): string {
    return this.broadcastTo(this.float32(0), this.shape(value));
  }

  broadcastTo(value: string, shape: readonly number[]): string {
    const from = this.shape(value);
    if (sameShape(from, shape)) {
      return value;
    }
    if (this.opset >= 8) {
      return this.withShape(this.op('Expand', [value, this.int64s(shape)]), shape);
    }

    // Expand is new in opset 8; Tile (opset 6) repeats the size-1 axes of a same-rank value.
    const sameRank = [...new Array<number>(shape.length - from.length).fill(1), ...from];
    const repeats = shape.map((dim, axis) => ((sameRank[axis] ?? 1) === 1 ? dim : 1));
    const tiled = this.op('Tile', [this.reshape(value, sameRank), this.int64s(repeats)]);
    return this.withShape(tiled, shape);
  }

  /** Records the static shape of a value the builder cannot infer (after Conv, Gemm, ...). */
  withShape(value: string, shape: readonly number[]): string {
    this.shapes.set(value, [...shape]);
    return value;
  }

  /** A new value or node name not used anywhere in the model. */
  fresh(prefix: string): string {
    let name: string;
    do {
      name = `${prefix}_${this.counter++}`;
    } while (this.context.usedNames.has(name));
    this.context.usedNames.add(name);
    return name;
  }

  private reduce(
    opType: string,
    axesInputSince: number,
    value: string,
    axes: readonly number[],
    keepdims: boolean,
  ): string {
    const keep = { kind: 'int', value: keepdims ? 1 : 0 } as const;
    return this.opset >= axesInputSince
      ? this.op(opType, [value, this.int64s(axes)], { keepdims: keep })
      : this.op(opType, [value], { axes: { kind: 'ints', value: axes }, keepdims: keep });
  }

  private knownShape(value: string): readonly number[] | undefined {
    return this.shapes.get(value) ?? this.context.facts.get(value)?.shape;
  }

  private intsOf(value: string): number[] | undefined {
    const data = this.constant(value);
    return data instanceof BigInt64Array || data instanceof Int32Array
      ? Array.from(data, Number)
      : undefined;
  }

  private addConstant(data: ConstantData, dims: readonly number[]): string {
    const small = data.length <= 64;
    const key = small
      ? `${data.constructor.name}:${dims.join(',')}:${Array.from(data as ArrayLike<number | bigint>).join(',')}`
      : '';
    const cached = small ? this.constantCache.get(key) : undefined;
    if (cached !== undefined) {
      return cached;
    }

    const name = this.fresh('cnnlens_const');
    this.initializers.push(makeTensor(name, dims, data));
    this.constants.set(name, data);
    this.shapes.set(name, [...dims]);
    if (small) {
      this.constantCache.set(key, name);
    }
    return name;
  }
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);
