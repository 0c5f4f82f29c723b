import type { LayerTensors } from '../../../src/explain/layer-tensors';
import { ablationCamMap, ablationValue } from '../../../src/explain/methods/ablation-cam.method';
import { camMap } from '../../../src/explain/methods/cam.method';
import { principalSign } from '../../../src/explain/first-principal-component';
import { eigenCamMap } from '../../../src/explain/methods/eigen-cam.method';
import { eigenGradCamMap } from '../../../src/explain/methods/eigen-grad-cam.method';
import { gradCamElementwiseMap } from '../../../src/explain/methods/grad-cam-elementwise.method';
import { gradCamPlusPlusMap } from '../../../src/explain/methods/grad-cam-plus-plus.method';
import { gradCamMap } from '../../../src/explain/methods/grad-cam.method';
import { hiResCamMap } from '../../../src/explain/methods/hires-cam.method';
import { layerCamMap } from '../../../src/explain/methods/layer-cam.method';
import { scoreCamMap, scoreCamMask } from '../../../src/explain/methods/score-cam.method';
import { xGradCamMap } from '../../../src/explain/methods/x-grad-cam.method';

/** Channel-major [K, 1, w] tensors written out by hand. */
function layer(activation: number[][], gradient: number[][]): LayerTensors {
  return {
    channels: activation.length,
    height: 1,
    width: activation[0]?.length ?? 0,
    activation: Float32Array.from(activation.flat()),
    gradient: Float32Array.from(gradient.flat()),
  };
}

const values = (map: { data: Float32Array }): number[] => Array.from(map.data);

describe('CAM-family maps (hand-computed, docs/methods.md)', () => {
  it('gradcam weights each channel by its mean gradient', () => {
    // w = [mean(1, 1), mean(0, 2)] = [1, 1]; M = A_0 + A_1.
    expect(
      values(
        gradCamMap(
          layer(
            [
              [1, 2],
              [3, 4],
            ],
            [
              [1, 1],
              [0, 2],
            ],
          ),
        ),
      ),
    ).toEqual([4, 6]);
  });

  it('gradcam++ uses a = G^2 / (2 G^2 + sum(A) G^3 + eps) on positive gradients only', () => {
    // sum(A) = 4; p0: g = 1 -> a = 1 / 6; p1: g = -1 -> ReLU(g) = 0. w = 1/6.
    const map = values(gradCamPlusPlusMap(layer([[1, 3]], [[1, -1]])));
    expect(map[0]).toBeCloseTo(1 / 6, 6);
    expect(map[1]).toBeCloseTo(3 / 6, 6);
  });

  it('gradcam++ adds pytorch-grad-cam eps = 1e-6 to the alpha denominator', () => {
    // sum(A) = 0, g = 1e-3: a = 1e-6 / (2e-6 + 0 + 1e-6) = 1/3 (with eps 1e-7 it would be 1/2.1);
    // w = g a = 1e-3 / 3; M = w A = [w, -w].
    const map = values(gradCamPlusPlusMap(layer([[1, -1]], [[1e-3, 0]])));
    const w = Math.fround(1e-3) / 3;
    expect(map[0]).toBeCloseTo(w, 9);
    expect(map[1]).toBeCloseTo(-w, 9);
  });

  it('xgradcam weights by sum(G A) / sum(A)', () => {
    // w = (2 * 1 + 1 * 3) / 4 = 1.25.
    const map = values(xGradCamMap(layer([[1, 3]], [[2, 1]])));
    expect(map[0]).toBeCloseTo(1.25, 6);
    expect(map[1]).toBeCloseTo(3.75, 6);
  });

  it('hirescam sums G * A, gradcam-elementwise sums ReLU(G * A), layercam sums ReLU(G) * A', () => {
    const tensors = layer(
      [
        [1, 1],
        [1, 1],
      ],
      [
        [1, -1],
        [-2, 1],
      ],
    );

    expect(values(hiResCamMap(tensors))).toEqual([-1, 0]);
    expect(values(gradCamElementwiseMap(tensors))).toEqual([1, 1]);
    expect(values(layerCamMap(tensors))).toEqual([1, 1]);
    expect(values(layerCamMap(layer([[1, 2]], [[-1, 3]])))).toEqual([0, 6]);
  });

  it('cam weights the channels by the class row of the linear layer', () => {
    expect(
      values(
        camMap(
          layer(
            [
              [1, 2],
              [3, 4],
            ],
            [
              [0, 0],
              [0, 0],
            ],
          ),
          [2, -1],
        ),
      ),
    ).toEqual([-1, 0]);
  });

  it('ablationcam weights by (s - s_k) / s', () => {
    // s = 2, s_k = [1, 3] -> w = [0.5, -0.5].
    expect(
      values(
        ablationCamMap(
          layer(
            [
              [2, 4],
              [2, 0],
            ],
            [
              [0, 0],
              [0, 0],
            ],
          ),
          2,
          [1, 3],
        ),
      ),
    ).toEqual([0, 2]);
  });

  it('ablationcam sets a channel to 0 when min(A) is 0, else to min(A) - 1e7 (pytorch-grad-cam)', () => {
    expect(ablationValue(Float32Array.of(0, 2, 5))).toBe(0);
    expect(ablationValue(Float32Array.of(3, -1.5, 2))).toBe(-1.5 - 1e7);
    expect(ablationValue(Float32Array.of(0.5, 2))).toBe(0.5 - 1e7);
  });

  it('ablationcam uses the drops sign(s) (s - s_k) when s = 0 makes (s - s_k) / s infinite', () => {
    const tensors = layer(
      [
        [1, 0],
        [0, 1],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    );

    // s = 0, s_k = [1, -3]: drops [-1, 3]; M = -A_0 + 3 A_1.
    expect(values(ablationCamMap(tensors, 0, [1, -3]))).toEqual([-1, 3]);
    // s = -1e-320 (subnormal): (s - s_k) / s overflows; sign(s) = -1 keeps the direction of [-1, 1] / s.
    expect(values(ablationCamMap(tensors, -1e-320, [1, -1]))).toEqual([1, -1]);
    expect(values(ablationCamMap(tensors, 0, [1, -3])).every(Number.isFinite)).toBe(true);
  });

  it('scorecam masks are the channel upsampled with align_corners=True, then (U - min) / (max - min + 1e-8)', () => {
    const tensors = { channels: 1, height: 2, width: 2, activation: Float32Array.of(0, 1, 2, 3) };
    // Output pixel d samples the input at d * (2 - 1) / (4 - 1): U[y][x] = (x + 2 y) / 3 for [[0, 1], [2, 3]].
    const expected = Array.from({ length: 16 }, (_, i) => ((i % 4) + 2 * Math.floor(i / 4)) / 3);

    const mask = Array.from(scoreCamMask(tensors, 0, 4, 4));
    mask.forEach((v, i) => expect(v).toBeCloseTo((expected[i] ?? NaN) / (3 + 1e-8), 6));
    expect(mask[0]).toBe(0);
    expect(mask[15]).toBeCloseTo(3 / (3 + 1e-8), 7);
  });

  it('scorecam masks keep rows and columns apart on a non-square layer', () => {
    const row = { channels: 1, height: 1, width: 2, activation: Float32Array.of(0, 1) };

    // Height 1 -> 2 repeats the row; width 2 -> 4 samples at 0, 1/3, 2/3, 1.
    const mask = Array.from(scoreCamMask(row, 0, 2, 4));
    [0, 1 / 3, 2 / 3, 1, 0, 1 / 3, 2 / 3, 1].forEach((v, i) => expect(mask[i]).toBeCloseTo(v, 6));
  });

  it('scorecam weights are the softmax of the masked scores; a constant channel gives a zero mask', () => {
    // softmax([0, ln 3]) = [0.25, 0.75].
    const map = values(
      scoreCamMap(
        layer(
          [
            [4, 0],
            [0, 4],
          ],
          [
            [0, 0],
            [0, 0],
          ],
        ),
        [0, Math.log(3)],
      ),
    );
    expect(map[0]).toBeCloseTo(1, 6);
    expect(map[1]).toBeCloseTo(3, 6);

    const constant = { channels: 1, height: 2, width: 2, activation: Float32Array.of(5, 5, 5, 5) };
    expect(Array.from(scoreCamMask(constant, 0, 3, 3))).toEqual(new Array(9).fill(0));
  });

  it('eigencam projects on the first principal component (hand-computed SVD)', () => {
    // Channels [0, 1, 3] and [0, 2, 6]: centred rows [-4/3, -8/3], [-1/3, -2/3], [5/3, 10/3];
    // v = [1, 2] / sqrt(5), p = [-4, -1, 5] * sqrt(5) / 3; sum sign(p) p^2 = (25 - 17) * 5 / 9 > 0.
    const few = eigenCamMap({
      channels: 2,
      height: 1,
      width: 3,
      activation: Float32Array.of(0, 1, 3, 0, 2, 6),
    });
    // Four channels c * [0, 1, 4]: more channels than positions; centred rows c * [-5/3, -2/3, 7/3],
    // v = [1, 2, 3, 4] / sqrt(30), p = [-5, -2, 7] * sqrt(30) / 3.
    const many = eigenCamMap({
      channels: 4,
      height: 1,
      width: 3,
      activation: Float32Array.from([1, 2, 3, 4].flatMap((c) => [0, c, 4 * c])),
    });

    [-4, -1, 5].forEach((v, i) => expect(few.data[i]).toBeCloseTo((v * Math.sqrt(5)) / 3, 5));
    [-5, -2, 7].forEach((v, i) => expect(many.data[i]).toBeCloseTo((v * Math.sqrt(30)) / 3, 5));
  });

  it('eigencam signs the component as Bro, Acar & Kolda 2008: sum_p sign(p) p^2 >= 0', () => {
    // One position stands out from three equal ones, the "evidence" on a dead background. Peak:
    // rows [1, 3] x 3 and [2, 6]; v = [1, 3] / sqrt(10), p = [-2.5, -2.5, -2.5, 7.5] / sqrt(10),
    // sum sign(p) p^2 = (56.25 - 3 * 6.25) / 10 > 0: kept.
    const peak = eigenCamMap({
      channels: 2,
      height: 1,
      width: 4,
      activation: Float32Array.of(1, 1, 1, 2, 3, 3, 3, 6),
    });
    // Dip: rows [-1, -2] and [0, 0] x 3; v = [1, 2] / sqrt(5), p = [-3.75, 1.25, 1.25, 1.25] / sqrt(5),
    // sum sign(p) p^2 = (-14.0625 + 3 * 1.5625) / 5 < 0: flipped, so the odd position is positive
    // again. (Covarying with the channel sums [-3, 0, 0, 0] would have kept the background on top.)
    const dip = eigenCamMap({
      channels: 2,
      height: 1,
      width: 4,
      activation: Float32Array.of(-1, 0, 0, 0, -2, 0, 0, 0),
    });

    [-2.5, -2.5, -2.5, 7.5].forEach((v, i) =>
      expect(peak.data[i]).toBeCloseTo(v / Math.sqrt(10), 5),
    );
    [3.75, -1.25, -1.25, -1.25].forEach((v, i) =>
      expect(dip.data[i]).toBeCloseTo(v / Math.sqrt(5), 5),
    );
  });

  it('principalSign breaks a tie by making the largest |p| (first in row-major order) positive', () => {
    expect(principalSign([3, -1, -1, -1])).toBe(1);
    expect(principalSign([-3, 1, 1, 1])).toBe(-1);
    // sum sign(p) p^2 = 0: the first of the two largest magnitudes, -2, decides.
    expect(principalSign([-2, 0, 2])).toBe(-1);
    expect(principalSign([2, 0, -2])).toBe(1);
    expect(principalSign([0, 0, 0])).toBe(1);
  });

  it('eigengradcam projects G * A, not A, and signs it the same way', () => {
    // A = 1 everywhere carries no variance; G * A = G: its one channel [0, 0, 0, 4], centred
    // [-1, -1, -1, 3], is its own principal direction.
    const map = eigenGradCamMap(layer([[1, 1, 1, 1]], [[0, 0, 0, 4]]));
    [-1, -1, -1, 3].forEach((v, i) => expect(map.data[i]).toBeCloseTo(v, 5));
  });

  it('eigen_smooth replaces the channel sum by the principal component of w_k A_k', () => {
    const tensors = layer(
      [
        [0, 1, 3],
        [0, 2, 6],
      ],
      [
        [1, 1, 1],
        [1, 1, 1],
      ],
    );

    const smooth = values(gradCamMap(tensors, true));
    [-4, -1, 5].forEach((v, i) => expect(smooth[i]).toBeCloseTo((v * Math.sqrt(5)) / 3, 5));
  });
});
