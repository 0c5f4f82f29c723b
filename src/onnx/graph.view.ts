import type { ConstantData } from './autodiff/gradient-rule';
import { tensorData } from './tensor.data';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from './onnx.types';

export interface ValueProducer {
  readonly node: NodeProto;
  readonly outputIndex: number;
}

/**
 * Read-only index over one graph: who produces and who consumes each value,
 * nodes in topological order, initializers and Constant outputs by name.
 */
export class GraphView {
  readonly graph: GraphProto;
  /** Nodes sorted so that every producer comes before its consumers. */
  readonly nodes: readonly NodeProto[];
  /** Graph inputs that are not initializers (what a caller feeds). */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  private readonly producers = new Map<string, ValueProducer>();
  private readonly consumerMap = new Map<string, NodeProto[]>();
  private readonly initializers = new Map<string, TensorProto>();

  constructor(model: ModelProto) {
    this.graph = model.graph ?? { node: [], initializer: [], input: [], output: [], valueInfo: [] };
    for (const tensor of this.graph.initializer) {
      this.initializers.set(tensor.name ?? '', tensor);
    }
    for (const node of this.graph.node) {
      node.output.forEach((value, outputIndex) => {
        if (value !== '') {
          this.producers.set(value, { node, outputIndex });
        }
      });
      for (const value of new Set(node.input)) {
        if (value !== '') {
          this.consumerMap.set(value, [...(this.consumerMap.get(value) ?? []), node]);
        }
      }
    }
    this.inputNames = this.graph.input
      .map((i) => i.name ?? '')
      .filter((n) => !this.initializers.has(n));
    this.outputNames = this.graph.output.map((o) => o.name ?? '');
    this.nodes = this.topologicalOrder();
  }

  producer(value: string): ValueProducer | undefined {
    return this.producers.get(value);
  }

  consumers(value: string): readonly NodeProto[] {
    return this.consumerMap.get(value) ?? [];
  }

  initializer(value: string): TensorProto | undefined {
    return this.initializers.get(value);
  }

  isGraphInput(value: string): boolean {
    return this.inputNames.includes(value);
  }

  /** Every value name the graph defines: inputs, initializers, node outputs. */
  valueNames(): string[] {
    return [...this.inputNames, ...this.initializers.keys(), ...this.producers.keys()];
  }

  /** Data of an initializer or of a Constant node's `value` tensor, else undefined. */
  constant(value: string): ConstantData | undefined {
    const tensor = this.initializers.get(value) ?? this.constantTensor(value);
    return tensor === undefined ? undefined : tensorData(tensor);
  }

  private constantTensor(value: string): TensorProto | undefined {
    const producer = this.producers.get(value);
    if (producer?.node.opType !== 'Constant') {
      return undefined;
    }
    return producer.node.attribute.find((a) => a.name === 'value')?.t;
  }

  private topologicalOrder(): NodeProto[] {
    const pending = new Map<NodeProto, number>();
    const ready: NodeProto[] = [];
    for (const node of this.graph.node) {
      const waits = new Set(node.input.filter((v) => this.producers.has(v))).size;
      pending.set(node, waits);
      if (waits === 0) {
        ready.push(node);
      }
    }

    const order: NodeProto[] = [];
    while (ready.length > 0) {
      const node = ready.shift() as NodeProto;
      order.push(node);
      for (const value of node.output) {
        for (const consumer of this.consumers(value)) {
          const left = (pending.get(consumer) ?? 0) - 1;
          pending.set(consumer, left);
          if (left === 0) {
            ready.push(consumer);
          }
        }
      }
    }
    return order.length === this.graph.node.length ? order : [...this.graph.node];
  }
}
