import { UnsupportedOperatorAttributeError } from '../../errors/unsupported-operator-attribute.error';
import { firstOutputRule } from './first-output.rule';
import type { BackwardBuilder, ForwardNode, GradientRuleTable } from './gradient-rule';
import { axesFrom } from './window-geometry';

/**
 * BatchNormalization in inference mode, y = scale * (x - mean) / sqrt(var + eps) + B:
 * dX = dY * scale / sqrt(var + eps) per channel (a constant when the
 * statistics are initializers, so the backward is one Mul); dScale, dB,
 * dMean and dVar follow from the same formula. spatial = 0 (opsets 7-8)
 * keeps statistics per element of [C, D1, ...] instead (batchNormLayout).
 */
function batchNormGradient(
  node: ForwardNode,
  dY: string,
  b: BackwardBuilder,
  outputGradients: ReadonlyArray<string | undefined>,
): ReadonlyArray<string | undefined> {
  const [x = '', scale = '', bias = '', mean = '', variance = ''] = node.inputs;
  if (
    node.attributes.int('training_mode', 0) === 1 ||
    outputGradients.slice(1).some((g) => g !== undefined)
  ) {
    throw new UnsupportedOperatorAttributeError(
      node.opType,
      node.name,
      'training_mode',
      '0 (inference with running statistics)',
      '1',
    );
  }
  const xShape = b.shape(x);
  const { statistics, broadcast, reduceAxes } = batchNormLayout(node, b, xShape);
  const epsilon = node.attributes.float('epsilon', 1e-5);
  const channel = (v: string): string => b.reshape(v, broadcast);
  const needs = (v: string): boolean => b.needsGradient(v);

  const invStd = inverseStd(b, variance, epsilon, statistics);
  const gain =
    foldedGain(b, scale, variance, epsilon) ??
    b.withShape(b.op('Mul', [scale, invStd]), statistics);
  const dX = needs(x) ? b.withShape(b.op('Mul', [dY, channel(gain)]), xShape) : undefined;

  const centered = (): string => b.withShape(b.op('Sub', [x, channel(mean)]), xShape);
  const sumOver = (v: string): string => b.withShape(b.reduceSum(v, reduceAxes, false), statistics);
  const dScale = needs(scale)
    ? sumOver(b.op('Mul', [dY, b.op('Mul', [centered(), channel(invStd)])]))
    : undefined;
  const dB = needs(bias) ? sumOver(dY) : undefined;
  const dMean = needs(mean) ? b.op('Neg', [b.op('Mul', [sumOver(dY), gain])]) : undefined;
  const dVar = needs(variance)
    ? b.op('Mul', [
        sumOver(b.op('Mul', [dY, centered()])),
        b.op('Mul', [gain, b.op('Mul', [b.op('Mul', [invStd, invStd]), b.float32(-0.5)])]),
      ])
    : undefined;
  return [dX, dScale, dB, dMean, dVar];
}

/**
 * Where BatchNormalization's statistics sit: one per channel, broadcast over
 * [C, 1, ...] and summed over batch and space; with spatial = 0 (opsets
 * 7-8) one per element of [C, D1, ...], summed over the batch only.
 */
function batchNormLayout(
  node: ForwardNode,
  b: BackwardBuilder,
  xShape: readonly number[],
): { statistics: number[]; broadcast: number[]; reduceAxes: number[] } {
  const perElement = b.opset < 9 && node.attributes.int('spatial', 1) === 0;
  if (perElement) {
    return { statistics: xShape.slice(1), broadcast: xShape.slice(1), reduceAxes: [0] };
  }
  const channels = xShape[1] ?? 1;
  return {
    statistics: [channels],
    broadcast: [channels, ...xShape.slice(2).map(() => 1)],
    reduceAxes: [0, ...axesFrom(2, xShape.length)],
  };
}

/** scale / sqrt(var + eps) computed at build time when both are constants. */
function foldedGain(
  b: BackwardBuilder,
  scale: string,
  variance: string,
  epsilon: number,
): string | undefined {
  const s = b.constant(scale);
  const v = b.constant(variance);
  if (
    !(s instanceof Float32Array) ||
    !(v instanceof Float32Array) ||
    b.needsGradient(scale) ||
    b.needsGradient(variance)
  ) {
    return undefined;
  }
  return b.tensor(
    Float32Array.from(s, (value, i) => value / Math.sqrt((v[i] ?? 0) + epsilon)),
    [s.length],
  );
}

function inverseStd(
  b: BackwardBuilder,
  variance: string,
  epsilon: number,
  statistics: readonly number[],
): string {
  const std = b.op('Sqrt', [b.op('Add', [variance, b.float32(epsilon)])]);
  return b.withShape(b.op('Div', [b.float32(1), std]), statistics);
}

/**
 * The gradient shared by instance and layer normalization over `axes`
 * (x^ = (x - mean) / sqrt(var + eps), g = dY * scale):
 * dX = (g - mean(g) - x^ * mean(g * x^)) / sqrt(var + eps).
 * Returns dX and x^ (for the scale gradient).
 */
function normalizedGradient(
  b: BackwardBuilder,
  x: string,
  g: string,
  axes: readonly number[],
  epsilon: number,
): { dX: string; normalized: string } {
  const shape = b.shape(x);
  const mean = b.reduceMean(x, axes, true);
  const centered = b.withShape(b.op('Sub', [x, mean]), shape);
  const variance = b.reduceMean(b.op('Mul', [centered, centered]), axes, true);
  const invStd = b.op('Div', [
    b.float32(1),
    b.op('Sqrt', [b.op('Add', [variance, b.float32(epsilon)])]),
  ]);
  const normalized = b.withShape(b.op('Mul', [centered, invStd]), shape);

  const meanG = b.reduceMean(g, axes, true);
  const meanGX = b.reduceMean(b.op('Mul', [g, normalized]), axes, true);
  const inner = b.op('Sub', [b.op('Sub', [g, meanG]), b.op('Mul', [normalized, meanGX])]);
  return { dX: b.withShape(b.op('Mul', [inner, invStd]), shape), normalized };
}

/** InstanceNormalization: statistics per (n, c) over the spatial axes. */
function instanceNormGradient(
  node: ForwardNode,
  dY: string,
  b: BackwardBuilder,
): ReadonlyArray<string | undefined> {
  const [x = '', scale = '', bias = ''] = node.inputs;
  const xShape = b.shape(x);
  const perChannel = [xShape[1] ?? 1, ...xShape.slice(2).map(() => 1)];
  const spatial = axesFrom(2, xShape.length);
  const g = b.withShape(b.op('Mul', [dY, b.reshape(scale, perChannel)]), xShape);
  const { dX, normalized } = normalizedGradient(
    b,
    x,
    g,
    spatial,
    node.attributes.float('epsilon', 1e-5),
  );

  const sumOver = (v: string): string => b.reduceSum(v, [0, ...spatial], false);
  return [
    b.needsGradient(x) ? dX : undefined,
    b.needsGradient(scale) ? sumOver(b.op('Mul', [dY, normalized])) : undefined,
    b.needsGradient(bias) ? sumOver(dY) : undefined,
  ];
}

/** LayerNormalization (opset 17): statistics over axes [axis, rank). */
function layerNormGradient(
  node: ForwardNode,
  dY: string,
  b: BackwardBuilder,
  outputGradients: ReadonlyArray<string | undefined>,
): ReadonlyArray<string | undefined> {
  const [x = '', scale = '', bias = ''] = node.inputs;
  if (outputGradients.slice(1).some((g) => g !== undefined)) {
    throw new UnsupportedOperatorAttributeError(
      node.opType,
      node.name,
      'outputs Mean and InvStdDev',
      'unused on the path to the score',
      'used',
    );
  }
  const xShape = b.shape(x);
  const axis = node.attributes.int('axis', -1);
  const axes = axesFrom(axis < 0 ? axis + xShape.length : axis, xShape.length);
  const g = b.withShape(b.op('Mul', [dY, scale]), xShape);
  const { dX, normalized } = normalizedGradient(
    b,
    x,
    g,
    axes,
    node.attributes.float('epsilon', 1e-5),
  );

  const scaleGradient = (): string =>
    b.sumTo(b.withShape(b.op('Mul', [dY, normalized]), xShape), b.shape(scale));
  return [
    b.needsGradient(x) ? dX : undefined,
    b.needsGradient(scale) ? scaleGradient() : undefined,
    bias !== '' && b.needsGradient(bias) ? b.unbroadcast(dY, bias) : undefined,
  ];
}

export const normalizationGradients: GradientRuleTable = {
  BatchNormalization: firstOutputRule(batchNormGradient),
  InstanceNormalization: firstOutputRule(instanceNormGradient),
  LayerNormalization: firstOutputRule(layerNormGradient),
};
