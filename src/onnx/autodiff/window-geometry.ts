import type { AttributeReader, BackwardBuilder } from './gradient-rule';

/** Per spatial axis: where the windows of a Conv or a pooling sit over the input. */
export interface WindowGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** Padding actually applied before each axis (auto_pad resolved). */
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  readonly inputSize: readonly number[];
  readonly outputSize: readonly number[];
}

/**
 * Resolves strides, dilations and pads (explicit or auto_pad) of a windowed
 * operator; SAME_* totals come from the probed output size, as onnxruntime
 * computed it.
 */
export function windowGeometry(
  attributes: AttributeReader,
  kernel: readonly number[],
  inputSize: readonly number[],
  outputSize: readonly number[],
): WindowGeometry {
  const rank = kernel.length;
  const ones = new Array<number>(rank).fill(1);
  const strides = attributes.ints('strides', ones);
  const dilations = attributes.ints('dilations', ones);
  const autoPad = attributes.string('auto_pad', 'NOTSET');
  const pads = attributes.ints('pads', new Array<number>(2 * rank).fill(0));

  let padsBegin = pads.slice(0, rank);
  let padsEnd = pads.slice(rank, 2 * rank);
  if (autoPad === 'VALID') {
    padsBegin = new Array<number>(rank).fill(0);
    padsEnd = new Array<number>(rank).fill(0);
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const totals = kernel.map((k, i) =>
      Math.max(
        0,
        ((outputSize[i] ?? 1) - 1) * (strides[i] ?? 1) +
          (k - 1) * (dilations[i] ?? 1) +
          1 -
          (inputSize[i] ?? 0),
      ),
    );
    const small = totals.map((t) => Math.floor(t / 2));
    padsBegin = autoPad === 'SAME_UPPER' ? small : totals.map((t, i) => t - (small[i] ?? 0));
    padsEnd = totals.map((t, i) => t - (padsBegin[i] ?? 0));
  }
  return { kernel, strides, dilations, padsBegin, padsEnd, inputSize, outputSize };
}

/**
 * ConvTranspose pads and output_padding that scatter windows back onto an
 * input of exactly inputSize: the end pad crops what the windows covered
 * past the input (ceil_mode, end padding), output_padding adds the rows no
 * window reached (a stride that does not divide the input).
 */
export function scatterBackAttributes(g: WindowGeometry): {
  pads: number[];
  outputPadding: number[];
} {
  const ends: number[] = [];
  const outputPadding: number[] = [];
  g.kernel.forEach((k, i) => {
    const covered =
      (g.strides[i] ?? 1) * ((g.outputSize[i] ?? 1) - 1) + (k - 1) * (g.dilations[i] ?? 1) + 1;
    const excess = covered - (g.padsBegin[i] ?? 0) - (g.inputSize[i] ?? 0);
    ends.push(Math.max(0, excess));
    outputPadding.push(Math.max(0, -excess));
  });
  return { pads: [...g.padsBegin, ...ends], outputPadding };
}

/** Slice with static bounds, in the form the opset takes (inputs from 10, attributes before). */
export function sliceStatic(
  b: BackwardBuilder,
  value: string,
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[],
): string {
  if (b.opset >= 10) {
    return b.op('Slice', [value, b.int64s(starts), b.int64s(ends), b.int64s(axes)]);
  }
  return b.op('Slice', [value], {
    starts: { kind: 'ints', value: starts },
    ends: { kind: 'ints', value: ends },
    axes: { kind: 'ints', value: axes },
  });
}

/** Axes [from, from+1, ..., rank-1]. */
export const axesFrom = (from: number, rank: number): number[] =>
  Array.from({ length: Math.max(0, rank - from) }, (_, i) => from + i);
