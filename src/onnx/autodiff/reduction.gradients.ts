import type {
  BackwardBuilder,
  ForwardNode,
  GradientRule,
  GradientRuleTable,
} from './gradient-rule';
import {
  castLike,
  hasInput,
  normalizeAxis,
  requireConstant,
  sign,
  sizeOf,
  typedConstant,
} from './rule-values.helper';

/** What a reduction's backward needs: the kept-dims shape of its output and the reduced axes. */
interface Reduction {
  readonly x: string;
  readonly axes: readonly number[];
  readonly keptShape: readonly number[];
  /** noop_with_empty_axes with no axes: the node is an identity. */
  readonly identity: boolean;
}

/**
 * Resolves the reduced axes: an `axes` input (ReduceSum from opset 13, the
 * others from 18) that must be constant, else the `axes` attribute, else
 * every axis unless noop_with_empty_axes makes the node an identity.
 */
function reduction(node: ForwardNode, b: BackwardBuilder): Reduction {
  const [x = ''] = node.inputs;
  const shape = b.shape(x);
  const listed = hasInput(node, 1)
    ? requireConstant(b, node, 1, 'axes')
    : node.attributes.ints('axes', []);
  const identity = listed.length === 0 && node.attributes.int('noop_with_empty_axes', 0) === 1;
  const axes =
    listed.length === 0
      ? shape.map((_, axis) => axis)
      : listed.map((axis) => normalizeAxis(axis, shape.length));
  const keptShape = shape.map((dim, axis) => (axes.includes(axis) ? 1 : dim));
  return { x, axes, keptShape, identity };
}

/**
 * A reduction's local derivative shaped like its input, given the reduction
 * and the kept-dims output; undefined when it is 1 everywhere.
 */
type LocalFactor = (
  node: ForwardNode,
  reduced: Reduction,
  keptOutput: () => string,
  b: BackwardBuilder,
) => string | undefined;

/**
 * Builds a rule: dx = reshape(g, keptShape) * scale * local, broadcast back
 * to x's shape by the Mul with a local factor or, without one, by
 * b.broadcastTo (Expand only exists from opset 8).
 */
function reduceRule(
  factor: LocalFactor,
  scale: (reduced: Reduction, b: BackwardBuilder) => number = () => 1,
): GradientRule {
  return (node, [gradient], b) => {
    const reduced = reduction(node, b);
    const others = node.inputs.slice(1).map(() => undefined);
    if (gradient === undefined || !b.needsGradient(reduced.x)) {
      return [undefined, ...others];
    }
    if (reduced.identity) {
      return [gradient, ...others];
    }

    const kept = b.int64s(reduced.keptShape);
    const keptGradient = b.withShape(b.op('Reshape', [gradient, kept]), reduced.keptShape);
    const share = scale(reduced, b);
    const scaled =
      share === 1
        ? keptGradient
        : b.withShape(
            b.op('Mul', [keptGradient, typedConstant(b, share, reduced.x)]),
            reduced.keptShape,
          );
    const keptOutput = (): string => b.op('Reshape', [node.outputs[0] ?? '', kept]);
    const local = factor(node, reduced, keptOutput, b);
    const dx =
      local === undefined
        ? b.broadcastTo(scaled, b.shape(reduced.x))
        : b.op('Mul', [scaled, local]);
    return [dx, ...others];
  };
}

/** ReduceSum: dx = g broadcast back. */
const reduceSum = reduceRule(() => undefined);

/** ReduceMean: dx = g / n broadcast back, n the number of reduced elements. */
const reduceMean = reduceRule(
  () => undefined,
  (reduced, b) => sizeOf(reduced.keptShape) / sizeOf(b.shape(reduced.x)),
);

/**
 * ReduceMax / ReduceMin: the gradient goes to the extreme elements, split
 * evenly among ties (as PyTorch's amax does; at a two-way tie this is also
 * what central differences measure).
 */
function extreme(comparison: 'Less' | 'Greater'): GradientRule {
  return reduceRule((_node, reduced, keptOutput, b) => {
    const hit = castLike(b, b.op('Not', [b.op(comparison, [reduced.x, keptOutput()])]), reduced.x);
    const ties = b.reduceSum(hit, reduced.axes, true);
    return b.op('Div', [hit, ties]);
  });
}

/** ReduceSumSquare: dx = 2 x g. */
const reduceSumSquare = reduceRule((_node, reduced, _output, b) =>
  b.op('Mul', [reduced.x, typedConstant(b, 2, reduced.x)]),
);

/** ReduceL2: dx = g x / y. */
const reduceL2 = reduceRule((_node, reduced, keptOutput, b) =>
  b.op('Div', [reduced.x, keptOutput()]),
);

/** ReduceL1: dx = g sign(x). */
const reduceL1 = reduceRule((_node, reduced, _output, b) => sign(b, reduced.x));

/** ReduceLogSumExp: dx = g exp(x - y). */
const reduceLogSumExp = reduceRule((_node, reduced, keptOutput, b) =>
  b.op('Exp', [b.op('Sub', [reduced.x, keptOutput()])]),
);

export const reductionGradients: GradientRuleTable = {
  ReduceSum: reduceSum,
  ReduceMean: reduceMean,
  ReduceMax: extreme('Less'),
  ReduceMin: extreme('Greater'),
  ReduceSumSquare: reduceSumSquare,
  ReduceL2: reduceL2,
  ReduceL1: reduceL1,
  ReduceLogSumExp: reduceLogSumExp,
};
