import {
  cubicMatrix,
  linearMatrix,
  nearestMatrix,
  originalCoordinate,
} from '../../../../src/onnx/autodiff/resize-weights.helper';

describe('resize interpolation matrices (hand computation)', () => {
  it('maps half_pixel coordinates as (x + 0.5) / scale - 0.5', () => {
    const axis = { inLength: 2, outLength: 4, scale: 2, coordinate: 'half_pixel' as const };
    expect([0, 1, 2, 3].map((x) => originalCoordinate(x, axis))).toEqual([-0.25, 0.25, 0.75, 1.25]);
  });

  it('maps align_corners coordinates as x (in - 1) / (out - 1)', () => {
    const axis = { inLength: 3, outLength: 5, scale: 5 / 3, coordinate: 'align_corners' as const };
    expect([0, 1, 2, 3, 4].map((x) => originalCoordinate(x, axis))).toEqual([0, 0.5, 1, 1.5, 2]);
  });

  // 2 -> 4, half_pixel: coordinates -0.25, 0.25, 0.75, 1.25, clamped to [0, 1].
  it('linear: splits each clamped coordinate between its two neighbours', () => {
    const matrix = linearMatrix({ inLength: 2, outLength: 4, scale: 2, coordinate: 'half_pixel' });
    expect(matrix).toEqual([
      [1, 0],
      [0.75, 0.25],
      [0.25, 0.75],
      [0, 1],
    ]);
  });

  // 4 -> 2, half_pixel: coordinates 0.5 and 2.5, both exact ties.
  it('nearest: round_prefer_floor and round_prefer_ceil break ties apart', () => {
    const axis = { inLength: 4, outLength: 2, scale: 0.5, coordinate: 'half_pixel' as const };
    expect(nearestMatrix(axis, 'round_prefer_floor')).toEqual([
      [1, 0, 0, 0],
      [0, 0, 1, 0],
    ]);
    expect(nearestMatrix(axis, 'round_prefer_ceil')).toEqual([
      [0, 1, 0, 0],
      [0, 0, 0, 1],
    ]);
  });

  it('nearest: the simple rule of Upsample truncates when up-sampling', () => {
    const axis = { inLength: 2, outLength: 5, scale: 2.5, coordinate: 'asymmetric' as const };
    expect(nearestMatrix(axis, 'simple').map((row) => row.indexOf(1))).toEqual([0, 0, 0, 1, 1]);
  });

  it('cubic: rows sum to 1 and an exact sample (coordinate 1) reads its pixel alone', () => {
    const matrix = cubicMatrix(
      { inLength: 4, outLength: 4, scale: 1, coordinate: 'asymmetric' },
      -0.75,
      false,
    );
    expect(matrix[1]).toEqual([0, 1, 0, 0]);
    const halfway = cubicMatrix(
      { inLength: 4, outLength: 8, scale: 2, coordinate: 'asymmetric' },
      -0.75,
      true,
    );
    halfway.forEach((row) => expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6));
    // Keys with a = -0.75 at s = 0.5: weights -0.09375, 0.59375, 0.59375, -0.09375.
    expect(halfway[3]).toEqual([-0.09375, 0.59375, 0.59375, -0.09375]);
  });
});
