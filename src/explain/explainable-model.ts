import { logitsValue } from '../onnx/autodiff/score-value';
import { GraphView } from '../onnx/graph.view';
import { makeNode, makeValueInfo } from '../onnx/onnx.factory';
import type { ModelProto } from '../onnx/onnx.types';
import {
  defaultTargetLayer,
  listTargetableLayers,
  type TargetableLayer,
} from '../onnx/targetable-layers';
import type { ValueFacts } from '../onnx/value-facts';
import type { ModelDescriptor } from '../models/model-descriptor';

export type ScoreKind = 'logit' | 'probability';

/** The graph a score kind is differentiated on: the model itself, or the model with a Softmax appended. */
export interface ScoredGraph {
  readonly proto: ModelProto;
  readonly facts: ValueFacts;
  /** The graph output differentiate() starts from. */
  readonly output: string;
  /** The value whose entries are the class scores. */
  readonly score: string;
  /** Whether `score` holds logits (so probabilities are its softmax). */
  readonly scoreIsLogits: boolean;
}

/**
 * A repository model as the explainers see it: its graph, the shape facts of
 * a batch-1 run at the model's input size, its spatial layers and the layer
 * used when the caller names none.
 */
export class ExplainableModel {
  readonly view: GraphView;
  readonly layers: readonly TargetableLayer[];
  readonly logits: string;
  readonly classCount: number;
  private probabilityGraph: ScoredGraph | undefined;

  constructor(
    readonly descriptor: ModelDescriptor,
    readonly proto: ModelProto,
    readonly facts: ValueFacts,
    readonly inputName: string,
    readonly inputDims: readonly number[],
  ) {
    this.view = new GraphView(proto);
    this.layers = listTargetableLayers(proto, facts);
    this.logits = logitsValue(this.view, descriptor.output);
    this.classCount = (facts.get(this.logits)?.shape ?? []).slice(1).reduce((p, d) => p * d, 1);
  }

  get name(): string {
    return this.descriptor.name;
  }

  /** The model.json default layer when set, else the last spatial value before global pooling. */
  defaultLayer(): string | undefined {
    return this.descriptor.defaultLayer ?? defaultTargetLayer(this.proto, this.facts)?.value;
  }

  /**
   * score=logit differentiates the value before a final (Log)Softmax, or the
   * output of a model without one; score=probability the output after the
   * model's softmax, appending one when the model ends in logits.
   */
  scored(kind: ScoreKind): ScoredGraph {
    const output = this.descriptor.output;
    const endsInSoftmax = this.logits !== output;

    if (kind === 'logit' || endsInSoftmax || this.descriptor.outputKind === 'probabilities') {
      const score = kind === 'logit' ? this.logits : output;
      const scoreIsLogits =
        kind === 'logit' && (endsInSoftmax || this.descriptor.outputKind === 'logits');
      return { proto: this.proto, facts: this.facts, output, score, scoreIsLogits };
    }
    this.probabilityGraph ??= this.withSoftmax(output);
    return this.probabilityGraph;
  }

  private withSoftmax(output: string): ScoredGraph {
    const graph = this.view.graph;
    const fact = this.facts.get(output);
    if (fact === undefined) {
      throw new Error(`ExplainableModel: no facts for output "${output}"`);
    }
    const probability = `${output}/cnnlens_softmax`;
    const proto: ModelProto = {
      ...this.proto,
      graph: {
        ...graph,
        node: [
          ...graph.node,
          makeNode('Softmax', [output], [probability], 'cnnlens_softmax', {
            axis: { kind: 'int', value: fact.shape.length - 1 },
          }),
        ],
        output: [...graph.output, makeValueInfo(probability, fact.elementType, fact.shape)],
      },
    };
    const facts = new Map(this.facts);
    facts.set(probability, fact);
    return { proto, facts, output: probability, score: probability, scoreIsLogits: false };
  }
}
