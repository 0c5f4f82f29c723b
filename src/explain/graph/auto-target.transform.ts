import type { AugmentedModel } from '../../onnx/autodiff/differentiate';
import { makeNode, makeValueInfo } from '../../onnx/onnx.factory';
import type { ModelProto } from '../../onnx/onnx.types';
import { makeTensor } from '../../onnx/tensor.data';
import type { ValueFacts } from '../../onnx/value-facts';

export interface AutoTargetModel {
  readonly model: ModelProto;
  /** Fed with a one-hot row for an explicit class, zeros otherwise. */
  readonly upstreamInput: string;
  /** Fed with [1] to differentiate the top-scoring class found in the same run, [0] otherwise. */
  readonly autoInput: string;
}

/**
 * Lets one run explain the top-1 class, which is unknown until the forward
 * pass: the upstream gradient becomes upstream_fed + auto * onehot(argmax(score)),
 * computed inside the graph, so top1 costs a single run instead of two.
 */
export function withAutoTarget(augmented: AugmentedModel, facts: ValueFacts): AutoTargetModel {
  const graph = augmented.model.graph;
  const score = augmented.scoreOutput;
  const fact = facts.get(score);
  if (graph === undefined || fact === undefined) {
    throw new Error(`withAutoTarget: no graph or no facts for the score "${score}"`);
  }

  const upstream = augmented.upstreamGradientInput;
  const fed = `${upstream}/fed`;
  const auto = 'cnnlens_auto_target';
  const count = fact.shape.reduce((p, d) => p * d, 1);
  const name = (suffix: string): string => `cnnlens_auto/${suffix}`;

  const initializers = [
    makeTensor(name('flat_shape'), [2], BigInt64Array.from([1n, -1n])),
    makeTensor(name('score_shape'), [fact.shape.length], BigInt64Array.from(fact.shape, BigInt)),
    makeTensor(
      name('range'),
      [count],
      BigInt64Array.from({ length: count }, (_, i) => BigInt(i)),
    ),
  ];
  const nodes = [
    makeNode('Reshape', [score, name('flat_shape')], [name('flat')], name('reshape_flat')),
    makeNode('ArgMax', [name('flat')], [name('argmax')], name('argmax'), {
      axis: { kind: 'int', value: 1 },
      keepdims: { kind: 'int', value: 1 },
    }),
    makeNode('Equal', [name('range'), name('argmax')], [name('is_top')], name('equal')),
    makeNode('Cast', [name('is_top')], [name('onehot_flat')], name('cast'), {
      to: { kind: 'int', value: fact.elementType },
    }),
    makeNode(
      'Reshape',
      [name('onehot_flat'), name('score_shape')],
      [name('onehot')],
      name('reshape_back'),
    ),
    makeNode('Mul', [name('onehot'), auto], [name('scaled')], name('scale')),
    makeNode('Add', [fed, name('scaled')], [upstream], name('upstream')),
  ];
  // After the forward pass that makes the score, before the backward nodes that read the upstream gradient.
  const found = graph.node.findIndex((node) => node.input.includes(upstream));
  const firstUse = found < 0 ? graph.node.length : found;
  const inputs = graph.input.map((info) =>
    info.name === upstream ? makeValueInfo(fed, fact.elementType, fact.shape) : info,
  );

  return {
    model: {
      ...augmented.model,
      graph: {
        ...graph,
        node: [...graph.node.slice(0, firstUse), ...nodes, ...graph.node.slice(firstUse)],
        initializer: [...graph.initializer, ...initializers],
        input: [...inputs, makeValueInfo(auto, fact.elementType, [1])],
      },
    },
    upstreamInput: fed,
    autoInput: auto,
  };
}
