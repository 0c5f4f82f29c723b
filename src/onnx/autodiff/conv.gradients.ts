import type { BackwardBuilder, ForwardNode, GradientRuleTable } from './gradient-rule';
import { int, ints } from './gradient-rule';
import {
  axesFrom,
  scatterBackAttributes,
  sliceStatic,
  windowGeometry,
  type WindowGeometry,
} from './window-geometry';

/**
 * Conv: dX is the transposed convolution of dY with the same weights
 * (ConvTranspose, pads/output_padding chosen so the result is exactly X's
 * shape); dW correlates X with dY, computed as a Conv with strides and
 * dilations swapped and the batch folded into the channels (per group);
 * dB sums dY over batch and space.
 */
function convGradient(
  node: ForwardNode,
  outputGradients: ReadonlyArray<string | undefined>,
  b: BackwardBuilder,
): ReadonlyArray<string | undefined> {
  const dY = outputGradients[0];
  const [x = '', w = '', bias = ''] = node.inputs;
  if (dY === undefined) {
    return [];
  }
  const xShape = b.shape(x);
  const wShape = b.shape(w);
  const group = node.attributes.int('group', 1);
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
  const dB =
    bias !== '' && b.needsGradient(bias)
      ? b.reduceSum(dY, [0, ...axesFrom(2, xShape.length)], false)
      : undefined;
  return [dX, dW, dB];
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
  const [n = 1, c = 1, ...space] = xShape;
  const m = wShape[0] ?? 1;
  const cg = c / group;
  const spatial = axesFrom(3, space.length + 3);

  // Batch of cg, channels (group, n): one Conv with `group` groups pairs each output channel with its own inputs.
  const xGrouped = b.reshape(x, [n, group, cg, ...space]);
  const xSwapped = b.op('Transpose', [xGrouped], { perm: ints([2, 1, 0, ...spatial]) });
  const input = b.reshape(b.withShape(xSwapped, [cg, group, n, ...space]), [
    cg,
    group * n,
    ...space,
  ]);
  const kernel = b.op('Transpose', [dY], { perm: ints([1, 0, ...axesFrom(2, xShape.length)]) });

  const correlation = b.op('Conv', [input, kernel], {
    strides: ints(g.dilations),
    dilations: ints(g.strides),
    group: int(group),
    pads: ints([...g.padsBegin, ...g.padsEnd]),
  });
  const kernelSize = wShape.slice(2);
  const cropped = sliceStatic(
    b,
    correlation,
    kernelSize.map(() => 0),
    kernelSize,
    axesFrom(2, xShape.length),
  );
  const dW = b.op('Transpose', [cropped], { perm: ints([1, 0, ...axesFrom(2, xShape.length)]) });
  return b.withShape(dW, [m, cg, ...kernelSize]);
}

/**
 * ConvTranspose: dX is the Conv of dY with the same weights, strides,
 * dilations and begin pads (the transposed operator's adjoint); dW
 * correlates dY with X the same way Conv's does.
 */
function convTransposeGradient(
  node: ForwardNode,
  outputGradients: ReadonlyArray<string | undefined>,
  b: BackwardBuilder,
): ReadonlyArray<string | undefined> {
  const dY = outputGradients[0];
  const [x = '', w = '', bias = ''] = node.inputs;
  if (dY === undefined) {
    return [];
  }
  const xShape = b.shape(x);
  const wShape = b.shape(w);
  const yShape = b.shape(node.outputs[0] ?? '');
  const group = node.attributes.int('group', 1);
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
  const dB =
    bias !== '' && b.needsGradient(bias)
      ? b.reduceSum(dY, [0, ...axesFrom(2, rank)], false)
      : undefined;
  return [dX, dW, dB];
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
  const [n = 1, m = 1, ...space] = yShape;
  const mg = m / group;
  const rank = yShape.length;
  const spatial = axesFrom(3, rank + 1);

  // Batch of m/group, channels (group, n); X is the kernel: [C, N, ...].
  const dYGrouped = b.reshape(dY, [n, group, mg, ...space]);
  const dYSwapped = b.op('Transpose', [dYGrouped], { perm: ints([2, 1, 0, ...spatial]) });
  const input = b.reshape(b.withShape(dYSwapped, [mg, group, n, ...space]), [
    mg,
    group * n,
    ...space,
  ]);
  const kernel = b.op('Transpose', [x], { perm: ints([1, 0, ...axesFrom(2, rank)]) });

  const correlation = b.op('Conv', [input, kernel], {
    strides: ints(g.dilations),
    dilations: ints(g.strides),
    group: int(group),
    pads: ints([...g.padsBegin, ...g.padsEnd]),
  });
  const kernelSize = wShape.slice(2);
  const cropped = sliceStatic(
    b,
    correlation,
    kernelSize.map(() => 0),
    kernelSize,
    axesFrom(2, rank),
  );
  const dW = b.op('Transpose', [cropped], { perm: ints([1, 0, ...axesFrom(2, rank)]) });
  return b.withShape(dW, wShape);
}

export const convGradients: GradientRuleTable = {
  Conv: convGradient,
  ConvTranspose: convTransposeGradient,
};
