import type {
  BackwardBuilder,
  ForwardNode,
  GradientRule,
  GradientRuleTable,
} from './gradient-rule';
import { castLike, choose, hasInput, normalizeAxis, typedConstant } from './rule-values.helper';

type ElementwiseDerivative = (node: ForwardNode, b: BackwardBuilder) => string;

/** A rule for y = f(x) whose gradient is g * f'(x), with f' built by `derivative`. */
function elementwise(derivative: ElementwiseDerivative): GradientRule {
  return (node, [gradient], b) => {
    const x = node.inputs[0] ?? '';
    if (gradient === undefined || !b.needsGradient(x)) {
      return [undefined];
    }
    return [b.op('Mul', [gradient, derivative(node, b)])];
  };
}

/** d relu: standard (x > 0), guided (x > 0 and g > 0, Springenberg 2015), deconvnet (g > 0, Zeiler 2014). */
const relu: GradientRule = (node, [gradient], b) => {
  const x = node.inputs[0] ?? '';
  if (gradient === undefined || !b.needsGradient(x)) {
    return [undefined];
  }

  const positiveInput = (): string => castLike(b, b.op('Greater', [x, typedConstant(b, 0, x)]), x);

  switch (b.reluRule) {
    case 'standard':
      return [b.op('Mul', [gradient, positiveInput()])];
    case 'guided':
      return [b.op('Mul', [b.op('Relu', [gradient]), positiveInput()])];
    case 'deconvnet':
      return [b.op('Relu', [gradient])];
  }
};

/*
 * At the kink x = 0 the ReLU family below takes the negative branch's slope,
 * as PyTorch's backward does (the positive branch only for x > 0): central
 * differences there measure the mean of both slopes and cannot decide.
 */

/** d leakyrelu = 1 for x > 0, alpha at and below 0 (ONNX: f(x) = alpha * x for x < 0). */
const leakyRelu = elementwise((node, b) => {
  const x = node.inputs[0] ?? '';
  const alpha = node.attributes.float('alpha', 0.01);
  const positive = b.op('Greater', [x, typedConstant(b, 0, x)]);
  return choose(b, positive, typedConstant(b, 1, x), typedConstant(b, alpha, x), x);
});

/** PRelu: dx = g * (x > 0 ? 1 : slope); dslope = sum over broadcast axes of g * min(x, 0). */
const prelu: GradientRule = (node, [gradient], b) => {
  const [x = '', slope = ''] = node.inputs;
  if (gradient === undefined) {
    return [undefined, undefined];
  }

  const zero = typedConstant(b, 0, x);
  const positive = b.op('Greater', [x, zero]);
  const dx = b.needsGradient(x)
    ? b.op('Mul', [gradient, choose(b, positive, typedConstant(b, 1, x), slope, x)])
    : undefined;
  const dslope = b.needsGradient(slope)
    ? b.unbroadcast(b.op('Mul', [gradient, choose(b, positive, zero, x, x)]), slope)
    : undefined;
  return [dx, dslope];
};

/** d elu = 1 for x > 0, alpha * exp(x) = y + alpha at and below 0. */
const elu = elementwise((node, b) => {
  const [x = ''] = node.inputs;
  const [y = ''] = node.outputs;
  const alpha = node.attributes.float('alpha', 1);
  const positive = b.op('Greater', [x, typedConstant(b, 0, x)]);
  const below = b.op('Add', [y, typedConstant(b, alpha, x)]);
  return choose(b, positive, typedConstant(b, 1, x), below, x);
});

/** d selu = gamma for x > 0, gamma * alpha * exp(x) = y + gamma * alpha at and below 0. */
const selu = elementwise((node, b) => {
  const [x = ''] = node.inputs;
  const [y = ''] = node.outputs;
  const alpha = node.attributes.float('alpha', 1.67326319217681884765625);
  const gamma = node.attributes.float('gamma', 1.05070102214813232421875);
  const positive = b.op('Greater', [x, typedConstant(b, 0, x)]);
  const below = b.op('Add', [y, typedConstant(b, gamma * alpha, x)]);
  return choose(b, positive, typedConstant(b, gamma, x), below, x);
});

/** Clip's bounds: attributes before opset 11, optional inputs from 11; undefined when unbounded. */
function clipBounds(
  node: ForwardNode,
  b: BackwardBuilder,
): [string | undefined, string | undefined] {
  const x = node.inputs[0] ?? '';
  if (b.opset >= 11) {
    return [
      hasInput(node, 1) ? node.inputs[1] : undefined,
      hasInput(node, 2) ? node.inputs[2] : undefined,
    ];
  }
  const attribute = (name: string): string | undefined =>
    node.attributes.has(name) ? typedConstant(b, node.attributes.float(name, 0), x) : undefined;
  return [attribute('min'), attribute('max')];
}

/**
 * Clip (ReLU6 among others) passes the gradient strictly inside (min, max),
 * as PyTorch's hardtanh does; a clipped element's gradient goes to the bound
 * input that clipped it, summed (the bounds are scalars).
 */
const clip: GradientRule = (node, [gradient], b) => {
  const [x = '', minInput = '', maxInput = ''] = node.inputs;
  if (gradient === undefined) {
    return node.inputs.map(() => undefined);
  }

  const [low, high] = clipBounds(node, b);
  const zero = typedConstant(b, 0, x);
  const aboveLow = low === undefined ? undefined : b.op('Greater', [x, low]);
  const belowHigh = high === undefined ? undefined : b.op('Less', [x, high]);
  const inside =
    aboveLow !== undefined && belowHigh !== undefined
      ? b.op('And', [aboveLow, belowHigh])
      : (aboveLow ?? belowHigh);

  const passed = inside === undefined ? gradient : choose(b, inside, gradient, zero, x);
  const all = Array.from({ length: b.shape(x).length }, (_, axis) => axis);
  const clippedSum = (keptMask: string): string =>
    b.reduceSum(b.op('Where', [keptMask, zero, gradient]), all, false);

  const dx = b.needsGradient(x) ? passed : undefined;
  const dmin =
    b.opset >= 11 && aboveLow !== undefined && b.needsGradient(minInput)
      ? clippedSum(aboveLow)
      : undefined;
  const dmax =
    b.opset >= 11 && belowHigh !== undefined && b.needsGradient(maxInput)
      ? clippedSum(belowHigh)
      : undefined;
  return [dx, dmin, dmax].slice(0, node.inputs.length);
};

/** d sigmoid = y (1 - y). */
const sigmoid = elementwise((node, b) => {
  const [y = ''] = node.outputs;
  return b.op('Mul', [y, b.op('Sub', [typedConstant(b, 1, y), y])]);
});

/** d hardsigmoid = alpha where 0 < alpha x + beta < 1, read off the output. */
const hardSigmoid = elementwise((node, b) => {
  const [y = ''] = node.outputs;
  const alpha = node.attributes.float('alpha', 0.2);
  const inside = b.op('And', [
    b.op('Greater', [y, typedConstant(b, 0, y)]),
    b.op('Less', [y, typedConstant(b, 1, y)]),
  ]);
  return choose(b, inside, typedConstant(b, alpha, y), typedConstant(b, 0, y), y);
});

/** d hardswish (x * clamp(x/6 + 1/2, 0, 1)) = 0 below -3, 1 above 3, x/3 + 1/2 between. */
const hardSwish = elementwise((node, b) => {
  const [x = ''] = node.inputs;
  const ramp = b.op('Add', [
    b.op('Mul', [x, typedConstant(b, 1 / 3, x)]),
    typedConstant(b, 0.5, x),
  ]);
  const aboveThree = b.op('Greater', [x, typedConstant(b, 3, x)]);
  const high = choose(b, aboveThree, typedConstant(b, 1, x), ramp, x);
  const belowMinusThree = b.op('Less', [x, typedConstant(b, -3, x)]);
  return choose(b, belowMinusThree, typedConstant(b, 0, x), high, x);
});

/** d tanh = 1 - y^2. */
const tanh = elementwise((node, b) => {
  const [y = ''] = node.outputs;
  return b.op('Sub', [typedConstant(b, 1, y), b.op('Mul', [y, y])]);
});

/** d erf = 2 / sqrt(pi) * exp(-x^2). */
const erf = elementwise((node, b) => {
  const [x = ''] = node.inputs;
  const gauss = b.op('Exp', [b.op('Neg', [b.op('Mul', [x, x])])]);
  return b.op('Mul', [gauss, typedConstant(b, 2 / Math.sqrt(Math.PI), x)]);
});

/** d softplus = sigmoid(x). */
const softplus = elementwise((node, b) => b.op('Sigmoid', [node.inputs[0] ?? '']));

/**
 * The axes a (Log)Softmax normalises over: before opset 13 the input is
 * coerced to 2-D at `axis` (default 1), so every axis from there on; from 13
 * the single `axis` (default -1).
 */
function softmaxAxes(node: ForwardNode, b: BackwardBuilder): number[] {
  const rank = b.shape(node.inputs[0] ?? '').length;
  if (b.opset < 13) {
    const first = normalizeAxis(node.attributes.int('axis', 1), rank);
    return Array.from({ length: rank - first }, (_, offset) => first + offset);
  }
  return [normalizeAxis(node.attributes.int('axis', -1), rank)];
}

/** d softmax: dx = y * (g - sum(g * y)) over the softmax axes. */
const softmax: GradientRule = (node, [gradient], b) => {
  const [x = ''] = node.inputs;
  const [y = ''] = node.outputs;
  if (gradient === undefined || !b.needsGradient(x)) {
    return [undefined];
  }

  const weighted = b.reduceSum(b.op('Mul', [gradient, y]), softmaxAxes(node, b), true);
  return [b.op('Mul', [y, b.op('Sub', [gradient, weighted])])];
};

/** d logsoftmax: dx = g - exp(y) * sum(g) over the softmax axes. */
const logSoftmax: GradientRule = (node, [gradient], b) => {
  const [x = ''] = node.inputs;
  const [y = ''] = node.outputs;
  if (gradient === undefined || !b.needsGradient(x)) {
    return [undefined];
  }

  const total = b.reduceSum(gradient, softmaxAxes(node, b), true);
  return [b.op('Sub', [gradient, b.op('Mul', [b.op('Exp', [y]), total])])];
};

export const activationGradients: GradientRuleTable = {
  Relu: relu,
  LeakyRelu: leakyRelu,
  PRelu: prelu,
  Elu: elu,
  Selu: selu,
  Clip: clip,
  Sigmoid: sigmoid,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Tanh: tanh,
  Erf: erf,
  Softplus: softplus,
  Softmax: softmax,
  LogSoftmax: logSoftmax,
};
