import { GraphView } from '../onnx/graph.view';
import type { ModelProto } from '../onnx/onnx.types';
import type { ValueFacts } from '../onnx/value-facts';

/** Where a value of the graph comes from. */
export type ValueOrigin = 'model input' | 'weight' | 'layer output';

export interface ModelValue {
  readonly value: string;
  readonly origin: ValueOrigin;
  /** Its shape in a batch-1 run at the model's input size; undefined when the run saw none. */
  readonly shape: readonly number[] | undefined;
  /** ONNX element type (1 = float32); undefined with the shape. */
  readonly elementType: number | undefined;
}

/**
 * Every value of a model by value name and by node name, so that a request
 * naming something that is not a layer can be told what it named instead.
 */
export class ModelValues {
  private constructor(
    private readonly byValue: ReadonlyMap<string, ModelValue>,
    private readonly byNode: ReadonlyMap<string, string>,
  ) {}

  static of(model: ModelProto, facts: ValueFacts): ModelValues {
    const view = new GraphView(model);
    const describe = (value: string, origin: ValueOrigin): [string, ModelValue] => {
      const fact = facts.get(value);
      return [value, { value, origin, shape: fact?.shape, elementType: fact?.elementType }];
    };
    const byValue = new Map<string, ModelValue>([
      ...view.graph.initializer.map((tensor) => describe(tensor.name ?? '', 'weight')),
      ...view.inputNames.map((value) => describe(value, 'model input')),
      ...view.nodes.flatMap((node) =>
        node.output
          .filter((value) => value !== '')
          .map((value) => describe(value, node.opType === 'Constant' ? 'weight' : 'layer output')),
      ),
    ]);
    const byNode = new Map<string, string>(
      view.nodes.flatMap((node) => {
        const output = node.output[0] ?? '';
        return node.name !== undefined && node.name !== '' && output !== ''
          ? [[node.name, output] as const]
          : [];
      }),
    );
    return new ModelValues(byValue, byNode);
  }

  /** The value a caller names by value name or node name (a node stands for its first output). */
  find(name: string): ModelValue | undefined {
    return this.byValue.get(name) ?? this.byValue.get(this.byNode.get(name) ?? '');
  }
}
