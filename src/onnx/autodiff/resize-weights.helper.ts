/**
 * The interpolation matrices of ONNX Resize along one axis, computed with the
 * coordinate formulas of the ONNX spec in float32 steps, as onnxruntime's CPU
 * kernel computes them, so that rounding and tie-breaking agree with it.
 * matrix[o][i] is the weight of input position i in output position o.
 */

const f32 = Math.fround;

export type CoordinateMode =
  'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric';

/** 'simple' is the rule of Upsample and Resize-10: truncate, or ceil when down-sampling. */
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';

export interface ResizedAxis {
  readonly inLength: number;
  readonly outLength: number;
  readonly scale: number;
  readonly coordinate: CoordinateMode;
}

/** The input coordinate an output position samples (before clamping). */
export function originalCoordinate(position: number, axis: ResizedAxis): number {
  const { inLength, outLength, coordinate } = axis;
  const scale = f32(axis.scale);
  const centred = f32(f32(f32(position + 0.5) / scale) - 0.5);

  switch (coordinate) {
    case 'half_pixel':
      return centred;
    case 'pytorch_half_pixel':
      return outLength > 1 ? centred : 0;
    case 'asymmetric':
      return f32(position / scale);
    case 'align_corners':
      return outLength === 1 ? 0 : f32(f32(position * (inLength - 1)) / (outLength - 1));
    case 'half_pixel_symmetric': {
      const adjustment = f32(outLength / f32(scale * inLength));
      const offset = f32(f32(inLength / 2) * f32(1 - adjustment));
      return f32(offset + centred);
    }
  }
}

/** C's round(): halves away from zero. */
function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

function nearestIndex(original: number, mode: NearestMode, downSampling: boolean): number {
  switch (mode) {
    case 'round_prefer_floor':
      return original === Math.trunc(original) + 0.5
        ? Math.floor(original)
        : roundHalfAway(original);
    case 'round_prefer_ceil':
      return roundHalfAway(original);
    case 'floor':
      return Math.floor(original);
    case 'ceil':
      return Math.ceil(original);
    case 'simple':
      return downSampling ? Math.ceil(original) : Math.trunc(original);
  }
}

function zeros(axis: ResizedAxis): number[][] {
  return Array.from({ length: axis.outLength }, () => new Array<number>(axis.inLength).fill(0));
}

function clampIndex(index: number, length: number): number {
  return Math.min(Math.max(index, 0), length - 1);
}

/** Nearest-neighbour resize: one 1 per output row. */
export function nearestMatrix(axis: ResizedAxis, mode: NearestMode): number[][] {
  const matrix = zeros(axis);
  matrix.forEach((row, position) => {
    const original = originalCoordinate(position, axis);
    row[clampIndex(nearestIndex(original, mode, axis.scale < 1), axis.inLength)] = 1;
  });
  return matrix;
}

/** Linear resize: the clamped coordinate split between its two neighbours. */
export function linearMatrix(axis: ResizedAxis): number[][] {
  const matrix = zeros(axis);
  const last = axis.inLength - 1;
  matrix.forEach((row, position) => {
    const original = Math.min(Math.max(originalCoordinate(position, axis), 0), last);
    const low = Math.min(Math.trunc(original), last);
    const high = Math.min(low + 1, last);
    if (low === high) {
      row[low] = 1;
      return;
    }
    row[low] = f32(high - original);
    row[high] = f32(original - low);
  });
  return matrix;
}

/** Keys' cubic convolution weights for the four neighbours at offsets -1, 0, 1, 2 (coefficient a). */
function cubicWeights(fraction: number, a: number): number[] {
  const s = Math.abs(fraction);
  const outer = (t: number): number => ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  const inner = (t: number): number => ((a + 2) * t - (a + 3)) * t * t + 1;
  return [outer(s + 1), inner(s), inner(1 - s), outer(2 - s)];
}

/** Cubic resize: neighbours clamped to the edge, or dropped and renormalised with exclude_outside. */
export function cubicMatrix(axis: ResizedAxis, a: number, excludeOutside: boolean): number[][] {
  const matrix = zeros(axis);
  matrix.forEach((row, position) => {
    const original = originalCoordinate(position, axis);
    const base = Math.floor(original);
    const weights = cubicWeights(original - base, a).map((weight, offset) => {
      const index = base - 1 + offset;
      return excludeOutside && (index < 0 || index >= axis.inLength) ? 0 : weight;
    });
    const total = excludeOutside ? weights.reduce((sum, weight) => sum + weight, 0) : 1;
    weights.forEach((weight, offset) => {
      const index = clampIndex(base - 1 + offset, axis.inLength);
      row[index] = (row[index] ?? 0) + weight / total;
    });
  });
  return matrix;
}

/** True when a matrix is the identity (the axis is not resized). */
export function isIdentity(matrix: readonly (readonly number[])[]): boolean {
  return matrix.every(
    (row, i) =>
      row.length === matrix.length && row.every((value, j) => value === (i === j ? 1 : 0)),
  );
}
