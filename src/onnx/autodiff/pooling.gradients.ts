import { DataType } from '../onnx.types';
import { firstOutputRule } from './first-output.rule';
import type {
  BackwardBuilder,
  ForwardNode,
  GradientRule,
  GradientRuleTable,
} from './gradient-rule';
import { int, ints, str } from './gradient-rule';
import { scatterBackAttributes, windowGeometry, type WindowGeometry } from './window-geometry';

const product = (values: readonly number[]): number => values.reduce((p, v) => p * v, 1);

/** The gradient of a pooling operator's only input X, from output 0's gradient dY. */
type PoolGradient = (dY: string, x: string, b: BackwardBuilder, node: ForwardNode) => string;

/** A rule that runs `gradient` only when X needs a gradient and dY exists. */
function poolRule(gradient: PoolGradient): GradientRule {
  return firstOutputRule((node, dY, b) => {
    const x = node.inputs[0] ?? '';
    return b.needsGradient(x) ? [gradient(dY, x, b, node)] : [];
  });
}

function poolGeometry(
  node: ForwardNode,
  xShape: readonly number[],
  yShape: readonly number[],
): WindowGeometry {
  const kernel = node.attributes.ints('kernel_shape', []);
  return windowGeometry(node.attributes, kernel, xShape.slice(2), yShape.slice(2));
}

/** Every output position of a window operator, row-major, as index tuples. */
function outputPositions(outputSize: readonly number[]): number[][] {
  const positions: number[][] = [[]];
  for (const size of outputSize) {
    const next: number[][] = [];
    for (const prefix of positions) {
      for (let o = 0; o < size; o++) {
        next.push([...prefix, o]);
      }
    }
    positions.splice(0, positions.length, ...next);
  }
  return positions;
}

/**
 * Scatters per-window contributions back onto the input: `contributions`
 * is [N*C, K, ...out] (K = kernel positions); a ConvTranspose with a
 * one-hot kernel per position adds each into the input cell it came from,
 * overlapping windows included.
 */
function scatterWindows(
  b: BackwardBuilder,
  contributions: string,
  g: WindowGeometry,
  kernelWeights: Float32Array,
  channels: number,
): string {
  const { pads, outputPadding } = scatterBackAttributes(g);
  const inputChannels = kernelWeights.length / product(g.kernel);
  const weights = b.tensor(kernelWeights, [inputChannels, 1, ...g.kernel]);
  const scattered = b.op('ConvTranspose', [contributions, weights], {
    strides: ints(g.strides),
    dilations: ints(g.dilations),
    pads: ints(pads),
    output_padding: ints(outputPadding),
  });
  return b.withShape(scattered, [channels, 1, ...g.inputSize]);
}

/**
 * AveragePool: each output spreads dY/count evenly over its window, where
 * count is what onnxruntime divided by (the window clipped to the padded
 * input with count_include_pad, to the input without); a ConvTranspose of
 * dY/count with a kernel of ones adds the overlapping shares.
 */
function averagePoolGradient(dY: string, x: string, b: BackwardBuilder, node: ForwardNode): string {
  const xShape = b.shape(x);
  const yShape = b.shape(node.outputs[0] ?? '');
  const [n = 1, c = 1] = xShape;
  const g = poolGeometry(node, xShape, yShape);
  const includePad = node.attributes.int('count_include_pad', 0) === 1;

  const reciprocal = Float32Array.from(
    outputPositions(g.outputSize),
    (o) => 1 / windowCount(g, o, includePad),
  );
  const shares = b.op('Mul', [
    b.reshape(dY, [n * c, 1, ...g.outputSize]),
    b.tensor(reciprocal, [1, 1, ...g.outputSize]),
  ]);
  b.withShape(shares, [n * c, 1, ...g.outputSize]);
  const ones = new Float32Array(product(g.kernel)).fill(1);
  return b.reshape(scatterWindows(b, shares, g, ones, n * c), xShape);
}

function windowCount(g: WindowGeometry, position: readonly number[], includePad: boolean): number {
  return position.reduce((count, o, i) => {
    const start = o * (g.strides[i] ?? 1) - (g.padsBegin[i] ?? 0);
    const low = includePad ? -(g.padsBegin[i] ?? 0) : 0;
    const high = (g.inputSize[i] ?? 0) + (includePad ? (g.padsEnd[i] ?? 0) : 0);
    let inside = 0;
    for (let k = 0; k < (g.kernel[i] ?? 1); k++) {
      const at = start + k * (g.dilations[i] ?? 1);
      inside += at >= low && at < high ? 1 : 0;
    }
    return count * inside;
  }, 1);
}

/**
 * MaxPool: the gradient goes to the element onnxruntime's forward picked:
 * the first maximum in window order. A one-hot mask per window offset k
 * marks it (from MaxPool's Indices at opset 8 and later, from an ArgMax
 * before); masked dY, scattered back by a ConvTranspose with one-hot
 * kernels, sums the contributions of overlapping windows.
 */
function maxPoolGradient(dY: string, x: string, b: BackwardBuilder, node: ForwardNode): string {
  const xShape = b.shape(x);
  const yShape = b.shape(node.outputs[0] ?? '');
  const [n = 1, c = 1] = xShape;
  const g = poolGeometry(node, xShape, yShape);
  const positions = product(g.kernel);

  const mask =
    b.opset >= 8
      ? indexedOffsetMask(b, node, x, g, xShape, yShape)
      : argMaxOffsetMask(b, x, g, xShape);
  const masked = b.op('Mul', [mask, b.reshape(dY, [n * c, 1, ...g.outputSize])]);
  const contributions = b.withShape(masked, [n * c, positions, ...g.outputSize]);
  return b.reshape(scatterWindows(b, contributions, g, oneHotKernels(positions), n * c), xShape);
}

/**
 * [N*C, K, ...out] float mask, 1 at the window offset whose element
 * MaxPool picked: its Indices output (opset 8) equal to the flat position
 * of offset k, so ties go exactly where onnxruntime sent them.
 */
function indexedOffsetMask(
  b: BackwardBuilder,
  node: ForwardNode,
  x: string,
  g: WindowGeometry,
  xShape: readonly number[],
  yShape: readonly number[],
): string {
  const [n = 1, c = 1] = xShape;
  const positions = product(g.kernel);
  const local = planeIndices(b, node, x, xShape, yShape);
  const table = b.tensor(windowOffsetTable(g), [positions, ...g.outputSize]);
  const hits = b.op('Equal', [b.reshape(local, [n * c, 1, ...g.outputSize]), table]);
  return b.op('Cast', [hits], { to: int(DataType.FLOAT) });
}

/**
 * The same mask without MaxPool's Indices (before opset 8): a Conv with
 * one-hot kernels copies each window's K elements into K channels (exact:
 * every other product is zero), padding reads -inf as MaxPool's does, and
 * ArgMax over the offsets takes the first maximum in window order, the
 * element MaxPool picks. Opset 7 has no ceil_mode or dilations, so the
 * Conv's windows are MaxPool's.
 */
function argMaxOffsetMask(
  b: BackwardBuilder,
  x: string,
  g: WindowGeometry,
  xShape: readonly number[],
): string {
  const [n = 1, c = 1, ...space] = xShape;
  const positions = product(g.kernel);

  const patches = b.op(
    'Conv',
    [
      b.reshape(x, [n * c, 1, ...space]),
      b.tensor(oneHotKernels(positions), [positions, 1, ...g.kernel]),
    ],
    {
      strides: ints(g.strides),
      dilations: ints(g.dilations),
      pads: ints([...g.padsBegin, ...g.padsEnd]),
    },
  );
  const padding = Float32Array.from(windowOffsetTable(g), (flat) => (flat < 0n ? -Infinity : 0));
  const readable = b.op('Add', [patches, b.tensor(padding, [positions, ...g.outputSize])]);
  const picked = b.op('ArgMax', [readable], { axis: int(1), keepdims: int(1) });
  const offsets = BigInt64Array.from({ length: positions }, (_, k) => BigInt(k));
  const hits = b.op('Equal', [
    picked,
    b.tensor(offsets, [positions, ...g.outputSize.map(() => 1)]),
  ]);
  return b.op('Cast', [hits], { to: int(DataType.FLOAT) });
}

/** K kernels of K positions, kernel k a one at position k: [K, 1, ...kernel] flattened. */
function oneHotKernels(positions: number): Float32Array {
  const kernels = new Float32Array(positions * positions);
  for (let k = 0; k < positions; k++) {
    kernels[k * positions + k] = 1;
  }
  return kernels;
}

/** The picked element's index within its (n, c) plane, from a MaxPool run with the node's attributes. */
function planeIndices(
  b: BackwardBuilder,
  node: ForwardNode,
  x: string,
  xShape: readonly number[],
  yShape: readonly number[],
): string {
  const [, indices = ''] = b.node('MaxPool', [x], copiedPoolAttributes(node), 2);
  const [n = 1, c = 1] = xShape;
  const plane = product(xShape.slice(2));
  const offsets = BigInt64Array.from({ length: n * c }, (_, i) => BigInt(i * plane));
  const local = b.op('Sub', [indices, b.tensor(offsets, [n, c, ...yShape.slice(2).map(() => 1)])]);
  return b.withShape(local, [n, c, ...yShape.slice(2)]);
}

function copiedPoolAttributes(node: ForwardNode): Record<string, ReturnType<typeof int>> {
  const a = node.attributes;
  const copied: Record<string, ReturnType<typeof int>> = {
    kernel_shape: ints(a.ints('kernel_shape', [])),
  };
  for (const name of ['strides', 'pads', 'dilations']) {
    if (a.has(name)) {
      copied[name] = ints(a.ints(name, []));
    }
  }
  if (a.has('ceil_mode')) {
    copied.ceil_mode = int(a.int('ceil_mode', 0));
  }
  if (a.has('auto_pad')) {
    copied.auto_pad = str(a.string('auto_pad', 'NOTSET'));
  }
  return copied;
}

/** [K, ...out]: in-plane flat index of window offset k at each output, -1 where it falls in padding. */
function windowOffsetTable(g: WindowGeometry): BigInt64Array {
  const outputs = outputPositions(g.outputSize);
  const offsets = outputPositions(g.kernel);
  const table = new BigInt64Array(offsets.length * outputs.length);
  offsets.forEach((k, ki) => {
    outputs.forEach((o, oi) => {
      let flat = 0;
      let inside = true;
      o.forEach((oc, i) => {
        const at =
          oc * (g.strides[i] ?? 1) - (g.padsBegin[i] ?? 0) + (k[i] ?? 0) * (g.dilations[i] ?? 1);
        inside &&= at >= 0 && at < (g.inputSize[i] ?? 0);
        flat = flat * (g.inputSize[i] ?? 1) + at;
      });
      table[ki * outputs.length + oi] = BigInt(inside ? flat : -1);
    });
  });
  return table;
}

/** GlobalAveragePool: dX = dY / (H*W), broadcast over the plane. */
function globalAveragePoolGradient(dY: string, x: string, b: BackwardBuilder): string {
  const xShape = b.shape(x);
  const space = xShape.slice(2);
  const share = b.tensor(new Float32Array(product(space)).fill(1 / product(space)), [
    1,
    1,
    ...space,
  ]);
  return b.withShape(b.op('Mul', [dY, share]), xShape);
}

/**
 * GlobalMaxPool: dY goes to the plane's first maximum in row-major order,
 * where MaxPool over the whole plane puts it; ArgMax (every opset) finds it.
 */
function globalMaxPoolGradient(dY: string, x: string, b: BackwardBuilder): string {
  const xShape = b.shape(x);
  const [n = 1, c = 1, ...space] = xShape;
  const plane = product(space);

  const flat = b.reshape(x, [n, c, plane]);
  const picked = b.op('ArgMax', [flat], { axis: int(2), keepdims: int(1) });
  const range = b.tensor(
    BigInt64Array.from({ length: plane }, (_, i) => BigInt(i)),
    [plane],
  );
  const mask = b.op('Cast', [b.op('Equal', [picked, range])], { to: int(DataType.FLOAT) });
  const routed = b.withShape(b.op('Mul', [mask, b.reshape(dY, [n, c, 1])]), [n, c, plane]);
  return b.reshape(routed, xShape);
}

export const poolingGradients: GradientRuleTable = {
  AveragePool: poolRule(averagePoolGradient),
  MaxPool: poolRule(maxPoolGradient),
  GlobalAveragePool: poolRule(globalAveragePoolGradient),
  GlobalMaxPool: poolRule(globalMaxPoolGradient),
};
