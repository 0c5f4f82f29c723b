import { UnsupportedOperatorAttributeError } from '../../errors/unsupported-operator-attribute.error';
import { mapAlongAxis } from './axis-map.helper';
import type {
  BackwardBuilder,
  ForwardNode,
  GradientRule,
  GradientRuleTable,
} from './gradient-rule';
import {
  cubicMatrix,
  isIdentity,
  linearMatrix,
  nearestMatrix,
  type CoordinateMode,
  type NearestMode,
  type ResizedAxis,
} from './resize-weights.helper';
import { constantNumbers, hasInput, normalizeAxis, requireConstant } from './rule-values.helper';

const COORDINATE_MODES: readonly CoordinateMode[] = [
  'half_pixel',
  'half_pixel_symmetric',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
];
const NEAREST_MODES: readonly NearestMode[] = [
  'round_prefer_floor',
  'round_prefer_ceil',
  'floor',
  'ceil',
];

/** Reads a string attribute that must be one of `allowed`. */
function oneOf<T extends string>(
  node: ForwardNode,
  name: string,
  fallback: T,
  allowed: readonly T[],
): T {
  const value = node.attributes.string(name, fallback);
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    throw new UnsupportedOperatorAttributeError(
      node.opType,
      node.name,
      `attribute ${name}`,
      `one of ${allowed.join(', ')}`,
      `"${value}"`,
    );
  }
  return match;
}

/** Whether the node follows Upsample's rules (Upsample, Resize-10): asymmetric, truncating nearest. */
function isLegacy(node: ForwardNode, b: BackwardBuilder): boolean {
  return node.opType === 'Upsample' || b.opset < 11;
}

/**
 * The scale of each axis as the kernel uses it: the given scales (attribute
 * for Upsample-7, the constant input otherwise, spread over `axes` at opset
 * 18), else output / input length, or the aspect-preserving common scale.
 */
function axisScales(
  node: ForwardNode,
  b: BackwardBuilder,
  inShape: readonly number[],
  outShape: readonly number[],
): number[] {
  const rank = inShape.length;
  const ratios = inShape.map((dim, axis) => Math.fround((outShape[axis] ?? dim) / dim));
  const scalesIndex = isLegacy(node, b) ? 1 : 2;
  const given =
    node.opType === 'Upsample' && node.attributes.has('scales')
      ? [...node.attributes.floats('scales', [])]
      : hasInput(node, scalesIndex)
        ? constantNumbers(b, node.inputs[scalesIndex] ?? '')
        : undefined;
  const axes = node.attributes
    .ints(
      'axes',
      inShape.map((_, axis) => axis),
    )
    .map((axis) => normalizeAxis(axis, rank));

  if (given !== undefined && given.length > 0) {
    const scales = inShape.map(() => 1);
    axes.forEach((axis, index) => {
      scales[axis] = given[index] ?? 1;
    });
    return scales;
  }

  const policy = node.attributes.string('keep_aspect_ratio_policy', 'stretch');
  if (policy === 'stretch' || !hasInput(node, 3)) {
    return ratios;
  }
  const sizes = requireConstant(b, node, 3, 'sizes');
  const wanted = axes.map((axis, index) => Math.fround((sizes[index] ?? 0) / (inShape[axis] ?? 1)));
  const common = policy === 'not_larger' ? Math.min(...wanted) : Math.max(...wanted);
  return inShape.map((_, axis) => (axes.includes(axis) ? common : 1));
}

/** The interpolation matrix [out][in] of one axis in the node's mode. */
function axisMatrix(node: ForwardNode, b: BackwardBuilder, axis: ResizedAxis): number[][] {
  const mode = oneOf(node, 'mode', 'nearest', ['nearest', 'linear', 'bilinear', 'cubic']);
  switch (mode) {
    case 'nearest':
      return nearestMatrix(
        axis,
        isLegacy(node, b)
          ? 'simple'
          : oneOf(node, 'nearest_mode', 'round_prefer_floor', NEAREST_MODES),
      );
    case 'linear':
    case 'bilinear':
      return linearMatrix(axis);
    case 'cubic':
      return cubicMatrix(
        axis,
        node.attributes.float('cubic_coeff_a', -0.75),
        node.attributes.int('exclude_outside', 0) === 1,
      );
  }
}

/** Refuses the variants whose adjoint is not built here. */
function checkSupported(
  node: ForwardNode,
  inShape: readonly number[],
  outShape: readonly number[],
): void {
  const downSampling = inShape.some((dim, axis) => (outShape[axis] ?? dim) < dim);
  if (node.attributes.int('antialias', 0) === 1 && downSampling) {
    throw new UnsupportedOperatorAttributeError(
      node.opType,
      node.name,
      'attribute antialias',
      '0 when down-sampling',
      '1',
    );
  }
}

/**
 * Resize / Upsample: a linear map of the input, separable per axis, so its
 * adjoint is the transpose of each axis's constant interpolation matrix,
 * applied as a MatMul (exact, and on every execution provider).
 */
const resize: GradientRule = (node, [gradient], b) => {
  const [x = ''] = node.inputs;
  const others = node.inputs.slice(1).map(() => undefined);
  if (gradient === undefined || !b.needsGradient(x)) {
    return [undefined, ...others];
  }

  const inShape = b.shape(x);
  const outShape = b.shape(node.outputs[0] ?? '');
  checkSupported(node, inShape, outShape);
  const coordinate = isLegacy(node, b)
    ? 'asymmetric'
    : oneOf(node, 'coordinate_transformation_mode', 'half_pixel', COORDINATE_MODES);
  const scales = axisScales(node, b, inShape, outShape);

  const shape = [...outShape];
  let dx = gradient;
  inShape.forEach((inLength, axis) => {
    const outLength = outShape[axis] ?? inLength;
    const matrix = axisMatrix(node, b, {
      inLength,
      outLength,
      scale: scales[axis] ?? 1,
      coordinate,
    });
    if (isIdentity(matrix)) {
      return;
    }
    dx = mapAlongAxis(b, dx, shape, axis, matrix, inLength, x);
    shape[axis] = inLength;
  });
  return [dx, ...others];
};

export const resizeGradients: GradientRuleTable = { Resize: resize, Upsample: resize };
