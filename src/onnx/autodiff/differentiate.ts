import { UnsupportedOperatorError } from '../../errors/unsupported-operator.error';
import { UnsupportedOpsetError } from '../../errors/unsupported-opset.error';
import { readAttributes } from '../attribute.reader';
import { GraphView } from '../graph.view';
import { defaultOpset, makeNode, makeValueInfo } from '../onnx.factory';
import { DataType, type ModelProto, type NodeProto, type ValueInfoProto } from '../onnx.types';
import { shapeDerivedValues } from '../shape-derived-values';
import { resolveLayer } from '../targetable-layers';
import type { ValueFacts } from '../value-facts';
import { GraphBackwardBuilder } from './backward.builder';
import type { ForwardNode, ReluRule } from './gradient-rule';
import { gradientRuleFor } from './gradient-rules';
import { logitsValue } from './score-value';

export interface DifferentiateOptions {
  /** Values (activations) to get gradients for; node names are accepted too. */
  readonly targets: readonly string[];
  /** Also d/d(first graph input). */
  readonly includeInput?: boolean;
  /** Graph output to differentiate; default: the first graph output. */
  readonly output?: string;
  /** 'logits' (default) differentiates the input of a final Softmax/LogSoftmax. */
  readonly score?: 'logits' | 'probability';
  readonly reluRule?: ReluRule;
}

export interface AugmentedTarget {
  readonly value: string;
  readonly activationOutput: string;
  readonly gradientOutput: string;
}

export interface AugmentedModel {
  /** The original outputs unchanged and first, then score, activations and gradients. */
  readonly model: ModelProto;
  /** New float input shaped like scoreOutput: the upstream gradient d(objective)/d(score). */
  readonly upstreamGradientInput: string;
  readonly scoreOutput: string;
  readonly targets: readonly AugmentedTarget[];
  readonly inputGradientOutput?: string;
}

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, 16]);

/**
 * Reverse-mode differentiation of an ONNX graph (vector-Jacobian products
 * written as standard ONNX nodes): returns the model augmented with the
 * gradients of <upstream, score> with respect to each target, so one
 * onnxruntime run gives forward values and gradients. The facts fix every
 * shape, so the augmented model serves the probed input shape.
 *
 * Opset: the augmented model keeps the model's own default-domain opset
 * (raising it would change forward operators whose schemas changed); every
 * rule writes nodes valid at that opset (gradient-rule.ts). Below opset 7
 * nothing broadcasts numpy-style and onnxruntime runs almost nothing, so
 * such a model is refused with UNSUPPORTED_OPSET before any node is built.
 *
 * Original outputs: the forward nodes are untouched, so with
 * graphOptimizationLevel 'disabled' the original outputs are bit-identical
 * to the plain model's (tested on every fixture net). Under onnxruntime's
 * fusing optimisations ('basic' and above; the default is 'all') the
 * exposed activations and the backward nodes that read forward values can
 * keep a value alive that a fusion (Conv + BatchNormalization, Conv + Add)
 * would remove, so the two models round differently. Measured with
 * onnxruntime-node 1.30 on the CPU, one target per targetable layer of the
 * fixture nets plus the input gradient: the logits moved by at most 2.2e-6
 * at magnitudes up to 4.6 (4.6e-7 relative, a few float32 ulps).
 */
export function differentiate(
  model: ModelProto,
  facts: ValueFacts,
  options: DifferentiateOptions,
): AugmentedModel {
  const view = new GraphView(model);
  const output = options.output ?? view.outputNames[0] ?? '';
  if (!view.outputNames.includes(output)) {
    throw new Error(
      `differentiate: output "${output}" is not a graph output (${view.outputNames.join(', ')})`,
    );
  }
  const score = options.score === 'probability' ? output : logitsValue(view, output);
  const targets = options.targets.map((t) => resolveLayer(model, facts, t));
  const input = options.includeInput === true ? view.inputNames[0] : undefined;
  const sources = input === undefined ? targets : [...targets, input];

  const needs = gradientPath(view, facts, sources, score);
  requireOpset(view, needs, score, defaultOpset(model));
  const usedNames = new Set([...view.valueNames(), ...view.graph.node.map((n) => n.name ?? '')]);
  const builder = new GraphBackwardBuilder({
    view,
    facts,
    opset: defaultOpset(model),
    reluRule: options.reluRule ?? 'standard',
    needsGradient: (v) => needs.has(v),
    usedNames,
    shapeDerived: shapeDerivedValues(view),
  });
  const upstream = builder.fresh('cnnlens_upstream_gradient');
  builder.withShape(upstream, factOf(facts, score).shape);

  const gradientOf = backpropagate(view, builder, needs, score, upstream);
  const extraOutputs: ValueInfoProto[] = [];
  const outputInfo = (name: string, like: string): void => {
    if (!view.outputNames.includes(name) && !extraOutputs.some((o) => o.name === name)) {
      const fact = factOf(facts, like);
      extraOutputs.push(makeValueInfo(name, fact.elementType, fact.shape));
    }
  };
  const publish = (value: string, prefix: string): string => {
    const name = builder.fresh(`${prefix}/${value}`);
    builder.nodes.push(makeNode('Identity', [value], [name], builder.fresh('cnnlens_publish')));
    return name;
  };

  outputInfo(score, score);
  const augmentedTargets = targets.map((value) => {
    const isFed = view.isGraphInput(value) || view.initializer(value) !== undefined;
    const activationOutput = isFed ? publish(value, 'cnnlens_activation') : value;
    const gradientOutput = publish(
      gradientOf(value) ?? builder.zerosLike(value),
      'cnnlens_gradient',
    );
    outputInfo(activationOutput, value);
    outputInfo(gradientOutput, value);
    return { value, activationOutput, gradientOutput };
  });
  const inputGradientOutput =
    input === undefined
      ? undefined
      : publish(gradientOf(input) ?? builder.zerosLike(input), 'cnnlens_gradient');
  if (input !== undefined && inputGradientOutput !== undefined) {
    outputInfo(inputGradientOutput, input);
  }

  const graph = view.graph;
  return {
    model: {
      ...model,
      graph: {
        ...graph,
        node: [...graph.node, ...builder.nodes],
        initializer: [...graph.initializer, ...builder.initializers],
        input: [
          ...graph.input,
          makeValueInfo(upstream, factOf(facts, score).elementType, factOf(facts, score).shape),
        ],
        output: [...graph.output, ...extraOutputs],
      },
    },
    upstreamGradientInput: upstream,
    scoreOutput: score,
    targets: augmentedTargets,
    ...(inputGradientOutput === undefined ? {} : { inputGradientOutput }),
  };
}

/**
 * Values on a path from a source to the score: forward-reachable from a
 * source through float values (shapes, indices and masks stop the path) and
 * backward-reachable from the score.
 */
function gradientPath(
  view: GraphView,
  facts: ValueFacts,
  sources: readonly string[],
  score: string,
): Set<string> {
  const isFloat = (v: string): boolean =>
    FLOAT_TYPES.has(facts.get(v)?.elementType ?? DataType.UNDEFINED);
  const forward = new Set(sources.filter(isFloat));
  for (const node of view.nodes) {
    if (node.input.some((v) => forward.has(v))) {
      node.output.filter(isFloat).forEach((v) => forward.add(v));
    }
  }

  const backward = new Set([score]);
  for (const node of [...view.nodes].reverse()) {
    if (node.output.some((v) => backward.has(v))) {
      node.input.forEach((v) => backward.add(v));
    }
  }
  return new Set([...forward].filter((v) => backward.has(v)));
}

/**
 * The oldest default-domain opset the backward graph can be written for:
 * from 7 Add, Mul and the comparisons broadcast numpy-style, which every
 * rule relies on (and onnxruntime implements almost no older operator).
 */
const MINIMUM_GRADIENT_OPSET = 7;

/** Refuses a model older than MINIMUM_GRADIENT_OPSET, naming the node nearest the score. */
function requireOpset(
  view: GraphView,
  needs: ReadonlySet<string>,
  score: string,
  opset: number,
): void {
  if (opset >= MINIMUM_GRADIENT_OPSET) {
    return;
  }
  const onPath = [...view.nodes]
    .reverse()
    .find(
      (node) =>
        node.input.some((v) => needs.has(v)) &&
        node.output.some((v) => v === score || needs.has(v)),
    );
  if (onPath !== undefined) {
    throw new UnsupportedOpsetError(
      onPath.opType ?? '',
      onPath.name ?? '',
      opset,
      MINIMUM_GRADIENT_OPSET,
      'the backward Mul, Add and comparisons broadcast numpy-style, new in opset 7',
    );
  }
}

/** Walks the nodes in reverse topological order, summing gradient contributions per value. */
function backpropagate(
  view: GraphView,
  builder: GraphBackwardBuilder,
  needs: ReadonlySet<string>,
  score: string,
  upstream: string,
): (value: string) => string | undefined {
  const contributions = new Map<string, string[]>([[score, [upstream]]]);
  const gradientOf = (value: string): string | undefined => {
    const parts = contributions.get(value);
    if (parts === undefined || parts.length === 0) {
      return undefined;
    }
    if (parts.length > 1) {
      const shape = builder.shape(value);
      const sum = builder.withShape(builder.op(parts.length === 2 ? 'Add' : 'Sum', parts), shape);
      contributions.set(value, [sum]);
      return sum;
    }
    return parts[0];
  };

  for (const node of [...view.nodes].reverse()) {
    if (!node.output.some((v) => contributions.has(v)) || !node.input.some((v) => needs.has(v))) {
      continue;
    }
    const rule = gradientRuleFor(node.opType ?? '', node.domain ?? '');
    if (rule === undefined) {
      throw new UnsupportedOperatorError(node.opType ?? '', node.name ?? '');
    }

    const outputGradients = node.output.map((v) => (v === '' ? undefined : gradientOf(v)));
    const inputGradients = carriesNothing(node, contributions, builder)
      ? node.input.map((v) => (needs.has(v) ? builder.zerosLike(v) : undefined))
      : rule(forwardNode(node), outputGradients, builder);
    node.input.forEach((value, i) => {
      const gradient = inputGradients[i];
      if (gradient !== undefined && needs.has(value)) {
        builder.withShape(gradient, builder.shape(value));
        contributions.set(value, [...(contributions.get(value) ?? []), gradient]);
      }
    });
  }
  return gradientOf;
}

/**
 * True when every output that receives a gradient has no elements (a Slice
 * with start == end): the inputs' gradients are then zero, and rules need
 * not build zero-size tensors (Reshape reads a 0 in a shape as "copy").
 */
function carriesNothing(
  node: NodeProto,
  contributions: ReadonlyMap<string, readonly string[]>,
  builder: GraphBackwardBuilder,
): boolean {
  return node.output.filter((v) => contributions.has(v)).every((v) => builder.shape(v).includes(0));
}

function forwardNode(node: NodeProto): ForwardNode {
  return {
    name: node.name ?? '',
    opType: node.opType ?? '',
    domain: node.domain ?? '',
    inputs: node.input,
    outputs: node.output,
    attributes: readAttributes(node),
  };
}

function factOf(
  facts: ValueFacts,
  value: string,
): { shape: readonly number[]; elementType: number } {
  const fact = facts.get(value);
  if (fact === undefined) {
    throw new Error(`differentiate: no shape facts for value "${value}"; probe the model first`);
  }
  return fact;
}
