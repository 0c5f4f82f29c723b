import { UnsupportedOperatorAttributeError } from '../../errors/unsupported-operator-attribute.error';
import {
  contractAxis,
  mapAlongAxis,
  padWithZeros,
  selectionMatrix,
  sliceAxes,
} from './axis-map.helper';
import {
  int,
  ints,
  type BackwardBuilder,
  type ForwardNode,
  type GradientRule,
  type GradientRuleTable,
} from './gradient-rule';
import { padSource, slicePositions, type PadMode } from './index-maps.helper';
import {
  castLike,
  constantNumbers,
  ElementType,
  hasInput,
  isFloating,
  normalizeAxis,
  requireConstant,
  sizeOf,
} from './rule-values.helper';

/** Gradient of input 0 only; the other inputs (shapes, axes, ratios) have none. */
function firstInputOnly(
  build: (x: string, gradient: string, node: ForwardNode, b: BackwardBuilder) => string,
): GradientRule {
  return (node, [gradient], b) => {
    const [x = ''] = node.inputs;
    const others = node.inputs.slice(1).map(() => undefined);
    if (gradient === undefined || !b.needsGradient(x)) {
      return [undefined, ...others];
    }
    return [build(x, gradient, node, b), ...others];
  };
}

/** Any op that only rearranges the same elements in order: reshape the gradient back. */
const reshapeBack = firstInputOnly((x, gradient, _node, b) =>
  b.op('Reshape', [gradient, b.int64s(b.shape(x))]),
);

const passThrough = firstInputOnly((_x, gradient) => gradient);

/**
 * Dropout is an identity only at inference: is_test = 1 before opset 7
 * (its default 0 means training), and from opset 12 no training_mode input
 * or a constant false one. Training mode drops random elements on every
 * run, which no gradient of one run describes, so it is refused.
 */
const dropout = firstInputOnly((_x, gradient, node, b) => {
  const training = trainingMode(node, b);
  if (training !== undefined) {
    const [parameter, received] = training;
    throw new UnsupportedOperatorAttributeError(
      node.opType,
      node.name,
      parameter,
      parameter === 'attribute is_test' ? '1 (inference)' : 'a constant false (inference)',
      received,
    );
  }
  return gradient;
});

/** [parameter, value] that puts a Dropout in training mode; undefined at inference. */
function trainingMode(node: ForwardNode, b: BackwardBuilder): [string, string] | undefined {
  if (b.opset < 7) {
    const isTest = node.attributes.int('is_test', 0);
    return isTest === 1 ? undefined : ['attribute is_test', String(isTest)];
  }
  if (!hasInput(node, 2)) {
    return undefined;
  }
  const mode = constantNumbers(b, node.inputs[2] ?? '');
  if (mode === undefined) {
    return ['input 2 (training_mode)', `"${node.inputs[2] ?? ''}", a value computed at run time`];
  }
  return mode.every((value) => value === 0) ? undefined : ['input 2 (training_mode)', 'true'];
}

/** Transpose: the gradient goes through the inverse permutation. */
const transpose = firstInputOnly((x, gradient, node, b) => {
  const rank = b.shape(x).length;
  const perm = node.attributes.ints(
    'perm',
    Array.from({ length: rank }, (_, i) => rank - 1 - i),
  );
  const inverse = new Array<number>(rank);
  perm.forEach((source, target) => {
    inverse[source] = target;
  });
  return b.op('Transpose', [gradient], { perm: ints(inverse) });
});

/** Concat: each input's gradient is its slab of the output gradient. */
const concat: GradientRule = (node, [gradient], b) => {
  const rank = b.shape(node.inputs[0] ?? '').length;
  const axis = normalizeAxis(node.attributes.int('axis', 0), rank);
  let offset = 0;

  return node.inputs.map((x) => {
    const start = offset;
    offset += b.shape(x)[axis] ?? 0;
    if (gradient === undefined || !b.needsGradient(x)) {
      return undefined;
    }
    return sliceAxes(b, gradient, [start], [offset], [axis]);
  });
};

/** Split: the pieces' gradients concatenated back, zeros for pieces nothing used. */
const split: GradientRule = (node, outputGradients, b) => {
  const [x = ''] = node.inputs;
  const others = node.inputs.slice(1).map(() => undefined);
  if (!b.needsGradient(x) || outputGradients.every((gradient) => gradient === undefined)) {
    return [undefined, ...others];
  }

  const axis = normalizeAxis(node.attributes.int('axis', 0), b.shape(x).length);
  const pieces = node.outputs.map((y, index) => outputGradients[index] ?? b.zerosLike(y));
  return [b.op('Concat', pieces, { axis: int(axis) }), ...others];
};

/** Expand: the gradient summed over the broadcast axes. */
const expand = firstInputOnly((x, gradient, _node, b) => b.unbroadcast(gradient, x));

/** Tile: view the gradient as [r0, d0, r1, d1, ...] and sum over the repeats. */
const tile = firstInputOnly((x, gradient, node, b) => {
  const inShape = b.shape(x);
  const outShape = b.shape(node.outputs[0] ?? '');
  const interleaved = inShape.flatMap((dim, axis) => [(outShape[axis] ?? dim) / dim, dim]);
  const viewed = b.op('Reshape', [gradient, b.int64s(interleaved)]);
  return b.reduceSum(
    viewed,
    inShape.map((_, axis) => 2 * axis),
    false,
  );
});

/** Cast: the gradient cast back to the input's type; integer inputs have none. */
const cast: GradientRule = (node, [gradient], b) => {
  const [x = ''] = node.inputs;
  if (gradient === undefined || !b.needsGradient(x) || !isFloating(b.elementType(x))) {
    return [undefined];
  }
  return [castLike(b, gradient, x)];
};

/** The per-axis starts, ends, axes and steps of a Slice: attributes before opset 10, constant inputs from 10. */
function sliceSpec(
  node: ForwardNode,
  b: BackwardBuilder,
): { starts: number[]; ends: number[]; axes: number[]; steps: number[] } {
  const rank = b.shape(node.inputs[0] ?? '').length;
  const starts =
    b.opset < 10 ? [...node.attributes.ints('starts', [])] : requireConstant(b, node, 1, 'starts');
  const ends =
    b.opset < 10 ? [...node.attributes.ints('ends', [])] : requireConstant(b, node, 2, 'ends');
  const defaultAxes = starts.map((_, axis) => axis);
  const axes =
    b.opset < 10
      ? [...node.attributes.ints('axes', defaultAxes)]
      : hasInput(node, 3)
        ? requireConstant(b, node, 3, 'axes')
        : defaultAxes;
  const steps =
    b.opset >= 10 && hasInput(node, 4) ? requireConstant(b, node, 4, 'steps') : starts.map(() => 1);
  return { starts, ends, axes: axes.map((axis) => normalizeAxis(axis, rank)), steps };
}

/**
 * Slice: the gradient scattered back into zeros. Unit steps become one zero
 * Pad; other steps (negative ones included) a 0/1 matrix along their axis.
 */
const slice = firstInputOnly((x, gradient, node, b) => {
  const inShape = b.shape(x);
  const spec = sliceSpec(node, b);
  const shape = [...b.shape(node.outputs[0] ?? '')];
  const pads = new Array<number>(2 * inShape.length).fill(0);
  let scattered = gradient;

  spec.axes.forEach((axis, index) => {
    const length = inShape[axis] ?? 0;
    const positions = slicePositions(
      spec.starts[index] ?? 0,
      spec.ends[index] ?? 0,
      spec.steps[index] ?? 1,
      length,
    );
    if ((spec.steps[index] ?? 1) === 1 && positions.length > 0) {
      pads[axis] = positions[0] ?? 0;
      pads[axis + inShape.length] = length - (positions[0] ?? 0) - positions.length;
      return;
    }
    scattered = mapAlongAxis(
      b,
      scattered,
      shape,
      axis,
      selectionMatrix(positions, length),
      length,
      x,
    );
    shape[axis] = length;
  });

  return pads.some((pad) => pad !== 0) ? padWithZeros(b, scattered, pads) : scattered;
});

/** Pad's mode and per-axis pads [begin..., end...] over every axis, from attributes or constant inputs. */
function padSpec(node: ForwardNode, b: BackwardBuilder): { mode: PadMode; pads: number[] } {
  const rank = b.shape(node.inputs[0] ?? '').length;
  const mode = node.attributes.string('mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge' && mode !== 'wrap') {
    throw new UnsupportedOperatorAttributeError(
      node.opType,
      node.name,
      'attribute mode',
      'constant, reflect, edge or wrap',
      `"${mode}"`,
    );
  }

  if (b.opset < 11) {
    const name = b.opset < 2 ? 'paddings' : 'pads';
    return { mode, pads: [...node.attributes.ints(name, new Array<number>(2 * rank).fill(0))] };
  }

  const listed = requireConstant(b, node, 1, 'pads');
  if (!hasInput(node, 3)) {
    return { mode, pads: listed };
  }
  const axes = requireConstant(b, node, 3, 'axes').map((axis) => normalizeAxis(axis, rank));
  const pads = new Array<number>(2 * rank).fill(0);
  axes.forEach((axis, index) => {
    pads[axis] = listed[index] ?? 0;
    pads[axis + rank] = listed[index + axes.length] ?? 0;
  });
  return { mode, pads };
}

/**
 * Pad: constant padding (non-negative) is undone by a Slice; reflect, edge,
 * wrap and cropping pads by a 0/1 matrix per padded axis, whose transpose
 * adds each copied border element back onto its source.
 */
const pad = firstInputOnly((x, gradient, node, b) => {
  const inShape = b.shape(x);
  const rank = inShape.length;
  const { mode, pads } = padSpec(node, b);
  const begins = pads.slice(0, rank);

  if (mode === 'constant' && pads.every((value) => value >= 0)) {
    const ends = inShape.map((dim, axis) => (begins[axis] ?? 0) + dim);
    return sliceAxes(
      b,
      gradient,
      begins,
      ends,
      inShape.map((_, axis) => axis),
    );
  }

  const shape = [...b.shape(node.outputs[0] ?? '')];
  let gathered = gradient;
  inShape.forEach((length, axis) => {
    if ((pads[axis] ?? 0) === 0 && (pads[axis + rank] ?? 0) === 0) {
      return;
    }
    const sources = Array.from({ length: shape[axis] ?? 0 }, (_, index) =>
      padSource(index, begins[axis] ?? 0, length, mode),
    );
    gathered = mapAlongAxis(b, gathered, shape, axis, selectionMatrix(sources, length), length, x);
    shape[axis] = length;
  });
  return gathered;
});

/**
 * Gather on the data input: the gradient rows are added back at their
 * indices by a MatMul with the one-hot matrix of the (possibly run-time,
 * possibly negative) indices.
 */
const gather: GradientRule = (node, [gradient], b) => {
  const [data = '', indices = ''] = node.inputs;
  if (gradient === undefined || !b.needsGradient(data)) {
    return [undefined, undefined];
  }

  const dataShape = b.shape(data);
  const axis = normalizeAxis(node.attributes.int('axis', 0), dataShape.length);
  const length = dataShape[axis] ?? 0;
  const count = sizeOf(b.shape(indices));
  const positions = Array.from({ length }, (_, index) => index);

  const column = b.op('Reshape', [
    b.op('Cast', [indices], { to: int(ElementType.INT64) }),
    b.int64s([count, 1]),
  ]);
  const hits = b.op('Or', [
    b.op('Equal', [column, b.int64s(positions)]),
    b.op('Equal', [column, b.int64s(positions.map((index) => index - length))]),
  ]);
  const oneHot = castLike(b, hits, data);
  const rows = dataShape.map((dim, index) => (index === axis ? count : dim));
  return [contractAxis(b, gradient, rows, axis, oneHot, length), undefined];
};

export const shapeGradients: GradientRuleTable = {
  Flatten: reshapeBack,
  Reshape: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Identity: passThrough,
  Dropout: dropout,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Pad: pad,
  Gather: gather,
  Expand: expand,
  Tile: tile,
  Cast: cast,
};
