import { firstOutputRule } from './first-output.rule';
import type { BackwardBuilder, ForwardNode, GradientRuleTable } from './gradient-rule';
import { int, ints } from './gradient-rule';
import {
  axesFrom,
  scatterBackAttributes,
  sliceStatic,
  windowGeometry,
  type WindowGeometry,
} from './window-geometry';

/** The inputs X, W and the optional bias of a Conv or ConvTranspose, with their shapes and group. */
function convOperands(node: ForwardNode, b: BackwardBuilder) {
  const [x = '', w = '', bias = ''] = node.inputs;
  return {
    x,
    w,
    bias,
    xShape: b.shape(x),
    wShape: b.shape(w),
    group: node.attributes.int('group', 1),
  };
}

/**
 * Conv: dX is the transposed convolution of dY with the same weights
 * (ConvTranspose, pads/output_padding chosen so the result is exactly X's
 * shape); dW correlates X with dY, computed as a Conv with strides and
 * dilations swapped and the batch folded into the channels (per group);
 * dB sums dY over batch and space.
 */
function convGradient(
  node: ForwardNode,
  dY: string,
  b: BackwardBuilder,
): ReadonlyArray<string | undefined> {
  const { x, w, bias, xShape, wShape, group } = convOperands(node, b);
  const g = windowGeometry(
    node.attributes,
    wShape.slice(2),
    xShape.slice(2),
    b.shape(node.outputs[0] ?? '').slice(2),
  );

  const dX = b.needsGradient(x) ? convDataGradient(b, dY, w, g, group, xShape) : undefined;
  const dW = b.needsGradient(w)
    ? convWeightGradient(b, dY, x, g, group, xShape, wShape)
    : undefined;
  return [dX, dW, biasGradient(b, dY, bias, xShape.length)];
}

/** dB sums dY over batch and space; undefined for an omitted bias or one that needs no gradient. */
function biasGradient(
  b: BackwardBuilder,
  dY: string,
  bias: string,
  rank: number,
): string | undefined {
  return bias !== '' && b.needsGradient(bias)
    ? b.reduceSum(dY, [0, ...axesFrom(2, rank)], false)
    : undefined;
}

function convDataGradient(
  b: BackwardBuilder,
  dY: string,
  w: string,
  g: WindowGeometry,
  group: number,
  xShape: readonly number[],
): string {
  const { pads, outputPadding } = scatterBackAttributes(g);
  const dX = b.op('ConvTranspose', [dY, w], {
    strides: ints(g.strides),
    dilations: ints(g.dilations),
    group: int(group),
    pads: ints(pads),
    output_padding: ints(outputPadding),
  });
  return b.withShape(dX, xShape);
}

function convWeightGradient(
  b: BackwardBuilder,
  dY: string,
  x: string,
  g: WindowGeometry,
  group: number,
  xShape: readonly number[],
  wShape: readonly number[],
): string {
  const m = wShape[0] ?? 1;
  const cg = (xShape[1] ?? 1) / group;

  // One Conv with `group` groups pairs each output channel with its own inputs.
  const input = groupsIntoBatch(b, x, xShape, group);
  const kernel = swapBatchAndChannels(b, dY, xShape.length);

  const dW = correlateIntoKernel(b, input, kernel, g, group, wShape.slice(2));
  return b.withShape(dW, [m, cg, ...wShape.slice(2)]);
}

/** [N, C, ...space] as [C/group, group*N, ...space]: the batch becomes the channels of each group. */
function groupsIntoBatch(
  b: BackwardBuilder,
  value: string,
  shape: readonly number[],
  group: number,
): string {
  const [n = 1, c = 1, ...space] = shape;
  const cg = c / group;
  const spatial = axesFrom(3, space.length + 3);

  const grouped = b.reshape(value, [n, group, cg, ...space]);
  const swapped = b.op('Transpose', [grouped], { perm: ints([2, 1, 0, ...spatial]) });
  return b.reshape(b.withShape(swapped, [cg, group, n, ...space]), [cg, group * n, ...space]);
}

function swapBatchAndChannels(b: BackwardBuilder, value: string, rank: number): string {
  return b.op('Transpose', [value], { perm: ints([1, 0, ...axesFrom(2, rank)]) });
}

/**
 * The weight gradient from its grouped operands: a Conv with strides and
 * dilations swapped, cropped to the kernel size, channels back in weight order.
 */
function correlateIntoKernel(
  b: BackwardBuilder,
  input: string,
  kernel: string,
  g: WindowGeometry,
  group: number,
  kernelSize: readonly number[],
): string {
  const rank = kernelSize.length + 2;

  const correlation = b.op('Conv', [input, kernel], {
    strides: ints(g.dilations),
    dilations: ints(g.strides),
    group: int(group),
    pads: ints([...g.padsBegin, ...g.padsEnd]),
  });
  const cropped = sliceStatic(
    b,
    correlation,
    kernelSize.map(() => 0),
    kernelSize,
    axesFrom(2, rank),
  );
  return swapBatchAndChannels(b, cropped, rank);
}

/**
 * ConvTranspose: dX is the Conv of dY with the same weights, strides,
 * dilations and begin pads (the transposed operator's adjoint); dW
 * correlates dY with X the same way Conv's does.
 */
function convTransposeGradient(
  node: ForwardNode,
  dY: string,
  b: BackwardBuilder,
): ReadonlyArray<string | undefined> {
  const { x, w, bias, xShape, wShape, group } = convOperands(node, b);
  const yShape = b.shape(node.outputs[0] ?? '');
  const g = transposeGeometry(node, wShape.slice(2), xShape.slice(2), yShape.slice(2));
  const rank = xShape.length;

  const dX = b.needsGradient(x)
    ? b.withShape(
        b.op('Conv', [dY, w], {
          strides: ints(g.strides),
          dilations: ints(g.dilations),
          group: int(group),
          pads: ints([...g.padsBegin, ...g.padsEnd]),
        }),
        xShape,
      )
    : undefined;
  const dW = b.needsGradient(w)
    ? convTransposeWeightGradient(b, dY, x, g, group, yShape, wShape)
    : undefined;
  return [dX, dW, biasGradient(b, dY, bias, rank)];
}

/**
 * The ConvTranspose's begin pads, and the end pads of the adjoint Conv:
 * the forward end pad less output_padding (rows output_padding added were
 * reached by no input and carry no gradient).
 */
function transposeGeometry(
  node: ForwardNode,
  kernel: readonly number[],
  inputSize: readonly number[],
  outputSize: readonly number[],
): WindowGeometry {
  const a = node.attributes;
  const rank = kernel.length;
  const ones = new Array<number>(rank).fill(1);
  const strides = a.ints('strides', ones);
  const dilations = a.ints('dilations', ones);
  const outputPadding = a.ints('output_padding', new Array<number>(rank).fill(0));
  const autoPad = a.string('auto_pad', 'NOTSET');
  const explicit = a.ints('pads', new Array<number>(2 * rank).fill(0));

  let begin = explicit.slice(0, rank);
  let end = explicit.slice(rank);
  if (
    a.has('output_shape') ||
    autoPad === 'SAME_UPPER' ||
    autoPad === 'SAME_LOWER' ||
    autoPad === 'VALID'
  ) {
    const totals = kernel.map(
      (k, i) =>
        (strides[i] ?? 1) * ((inputSize[i] ?? 1) - 1) +
        (outputPadding[i] ?? 0) +
        (k - 1) * (dilations[i] ?? 1) +
        1 -
        (outputSize[i] ?? 0),
    );
    const half = totals.map((t) => Math.floor(t / 2));
    begin = autoPad === 'SAME_UPPER' ? half : totals.map((t, i) => t - (half[i] ?? 0));
    end = totals.map((t, i) => t - (begin[i] ?? 0));
  }
  return {
    kernel,
    strides,
    dilations,
    padsBegin: begin,
    padsEnd: end.map((e, i) => Math.max(0, e - (outputPadding[i] ?? 0))),
    inputSize: outputSize,
    outputSize: inputSize,
  };
}

function convTransposeWeightGradient(
  b: BackwardBuilder,
  dY: string,
  x: string,
  g: WindowGeometry,
  group: number,
  yShape: readonly number[],
  wShape: readonly number[],
): string {
  // dY's roles are X's in Conv's weight gradient; X is the kernel: [C, N, ...].
  const input = groupsIntoBatch(b, dY, yShape, group);
  const kernel = swapBatchAndChannels(b, x, yShape.length);

  const dW = correlateIntoKernel(b, input, kernel, g, group, wShape.slice(2));
  return b.withShape(dW, wShape);
}

export const convGradients: GradientRuleTable = {
  Conv: firstOutputRule(convGradient),
  ConvTranspose: firstOutputRule(convTransposeGradient),
};
