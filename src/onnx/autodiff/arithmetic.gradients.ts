import type {
  BackwardBuilder,
  ForwardNode,
  GradientRule,
  GradientRuleTable,
} from './gradient-rule';
import { castLike, sign, typedConstant } from './rule-values.helper';

type Unary = (x: string, y: string, gradient: string, b: BackwardBuilder) => string;

/** A rule for y = f(x) built from x, y and the incoming gradient. */
function unary(dx: Unary): GradientRule {
  return (node, [gradient], b) => {
    const [x = ''] = node.inputs;
    const [y = ''] = node.outputs;
    if (gradient === undefined || !b.needsGradient(x)) {
      return [undefined];
    }
    return [dx(x, y, gradient, b)];
  };
}

/** The gradient of a broadcasting input, built lazily only when the input needs one. */
function toInput(b: BackwardBuilder, input: string, build: () => string): string | undefined {
  return b.needsGradient(input) ? b.unbroadcast(build(), input) : undefined;
}

/** d(a + b) = (g, g), each summed over its broadcast axes. */
const add: GradientRule = (node, [gradient], b) => {
  const [left = '', right = ''] = node.inputs;
  if (gradient === undefined) {
    return [undefined, undefined];
  }
  return [toInput(b, left, () => gradient), toInput(b, right, () => gradient)];
};

/** d(a - b) = (g, -g). */
const sub: GradientRule = (node, [gradient], b) => {
  const [left = '', right = ''] = node.inputs;
  if (gradient === undefined) {
    return [undefined, undefined];
  }
  return [toInput(b, left, () => gradient), toInput(b, right, () => b.op('Neg', [gradient]))];
};

/** d(a * b) = (g b, g a). */
const mul: GradientRule = (node, [gradient], b) => {
  const [left = '', right = ''] = node.inputs;
  if (gradient === undefined) {
    return [undefined, undefined];
  }
  return [
    toInput(b, left, () => b.op('Mul', [gradient, right])),
    toInput(b, right, () => b.op('Mul', [gradient, left])),
  ];
};

/** d(a / b) = (g / b, -(g / b) * y). */
const div: GradientRule = (node, [gradient], b) => {
  const [left = '', right = ''] = node.inputs;
  const [y = ''] = node.outputs;
  if (gradient === undefined) {
    return [undefined, undefined];
  }

  const scaled = b.op('Div', [gradient, right]);
  return [
    toInput(b, left, () => scaled),
    toInput(b, right, () => b.op('Neg', [b.op('Mul', [scaled, y])])),
  ];
};

/**
 * d(x^p) = (g p x^(p-1), g y ln x). The exponent may be any tensor (an integer
 * one is cast); its gradient is NaN where x < 0, as ln x is.
 */
const pow: GradientRule = (node, [gradient], b) => {
  const [base = '', exponent = ''] = node.inputs;
  const [y = ''] = node.outputs;
  if (gradient === undefined) {
    return [undefined, undefined];
  }

  const p =
    b.elementType(exponent) === b.elementType(base) ? exponent : castLike(b, exponent, base);
  const dbase = toInput(b, base, () => {
    const lowered = b.op('Pow', [base, b.op('Sub', [p, typedConstant(b, 1, base)])]);
    return b.op('Mul', [gradient, b.op('Mul', [p, lowered])]);
  });
  const dexponent = toInput(b, exponent, () =>
    b.op('Mul', [gradient, b.op('Mul', [y, b.op('Log', [base])])]),
  );
  return [dbase, dexponent];
};

/** Gradients of a variadic Min or Max: each input's share where it equals the result. */
function selected(comparison: 'Less' | 'Greater'): GradientRule {
  return (node, [gradient], b) => {
    const [y = ''] = node.outputs;
    if (gradient === undefined) {
      return node.inputs.map(() => undefined);
    }

    // x_i equals the max iff it is not below it (Equal takes floats only from opset 11).
    const masks = node.inputs.map((x) => castLike(b, b.op('Not', [b.op(comparison, [x, y])]), y));
    const ties = masks.length === 1 ? (masks[0] ?? '') : b.op('Sum', masks);
    const share = b.op('Div', [gradient, ties]);
    return node.inputs.map((x, index) =>
      toInput(b, x, () => b.op('Mul', [share, masks[index] ?? ''])),
    );
  };
}

/** d sum(x_i) = g for every input. */
const sum: GradientRule = (node, [gradient], b) =>
  node.inputs.map((x) => (gradient === undefined ? undefined : toInput(b, x, () => gradient)));

/** d mean(x_i) = g / n for every input. */
const mean: GradientRule = (node, [gradient], b) => {
  if (gradient === undefined) {
    return node.inputs.map(() => undefined);
  }
  const share = (): string =>
    b.op('Mul', [gradient, typedConstant(b, 1 / node.inputs.length, node.outputs[0] ?? '')]);
  return node.inputs.map((x) => toInput(b, x, share));
};

/** Where(c, x, y): the gradient goes to x where c holds and to y elsewhere; c has none. */
const where: GradientRule = (node: ForwardNode, [gradient], b) => {
  const [condition = '', whenTrue = '', whenFalse = ''] = node.inputs;
  if (gradient === undefined) {
    return [undefined, undefined, undefined];
  }

  const zero = (): string => typedConstant(b, 0, node.outputs[0] ?? '');
  return [
    undefined,
    toInput(b, whenTrue, () => b.op('Where', [condition, gradient, zero()])),
    toInput(b, whenFalse, () => b.op('Where', [condition, zero(), gradient])),
  ];
};

export const arithmeticGradients: GradientRuleTable = {
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Pow: pow,
  Neg: unary((_x, _y, g, b) => b.op('Neg', [g])),
  Sqrt: unary((x, y, g, b) => b.op('Div', [g, b.op('Mul', [y, typedConstant(b, 2, x)])])),
  Reciprocal: unary((_x, y, g, b) => b.op('Neg', [b.op('Mul', [g, b.op('Mul', [y, y])])])),
  Exp: unary((_x, y, g, b) => b.op('Mul', [g, y])),
  Log: unary((x, _y, g, b) => b.op('Div', [g, x])),
  Abs: unary((x, _y, g, b) => b.op('Mul', [g, sign(b, x)])),
  Max: selected('Less'),
  Min: selected('Greater'),
  Sum: sum,
  Mean: mean,
  Where: where,
};
