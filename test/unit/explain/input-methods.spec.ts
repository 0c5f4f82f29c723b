import { reluMinMax } from '../../../src/explain/map-normalization';
import { guidedGradCamMap } from '../../../src/explain/methods/guided-grad-cam.method';
import {
  integratedGradients,
  integratedGradientsMap,
  pathPoint,
} from '../../../src/explain/methods/integrated-gradients.method';
import { saliencyMap } from '../../../src/explain/methods/saliency.method';
import { seededNormals } from '../../../src/explain/input-gradient.runner';
import {
  boxMullerNormals,
  noisyInput,
  smoothGradMap,
} from '../../../src/explain/methods/smooth-grad.method';

describe('input-gradient maps (hand-computed, docs/methods.md)', () => {
  it('saliency is the largest absolute gradient over channels', () => {
    const map = saliencyMap({
      channels: 2,
      height: 1,
      width: 3,
      data: Float32Array.of(1, -5, 0, -2, 3, 0.5),
    });

    expect(Array.from(map.data)).toEqual([2, 5, 0.5]);
  });

  it('integrated gradients use the right Riemann sum x0 + (m / steps)(x - x0), m = 1..steps', () => {
    const x = Float32Array.of(2, -4);
    const x0 = Float32Array.of(0, 0);

    expect(Array.from(pathPoint(x, x0, 1, 4))).toEqual([0.5, -1]);
    expect(Array.from(pathPoint(x, x0, 4, 4))).toEqual([2, -4]);
    // IG = (x - x0) * sum / steps = [2 * 6 / 3, -4 * 3 / 3]; M = sum_c |IG_c| with channels [1, 2].
    const ig = integratedGradients(
      { channels: 2, height: 1, width: 1, data: x },
      x0,
      Float32Array.of(6, 3),
      3,
    );
    expect(Array.from(ig.data)).toEqual([4, -4]);
    expect(Array.from(integratedGradientsMap(ig).data)).toEqual([8]);
  });

  it('smoothgrad averages the saliency of the samples; a seed repeats the noise; sigma 0 adds none', () => {
    const input = Float32Array.of(0, 1, 2, 3, 4);
    const a = noisyInput(input, 0.5, seededNormals(3)(5));
    const b = noisyInput(input, 0.5, seededNormals(3)(5));
    const planes = (data: number[]) => ({
      channels: 1,
      height: 1,
      width: 2,
      data: Float32Array.from(data),
    });

    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(input));
    expect(Array.from(noisyInput(input, 0, seededNormals(3)(5)))).toEqual(Array.from(input));
    expect(Array.from(smoothGradMap([planes([1, -3]), planes([-3, 1])]).data)).toEqual([2, 2]);
  });

  it('adds the given N(0, 1) draws scaled by sigma * (max(x) - min(x))', () => {
    // max - min = 4, sigma = 0.5: std 2; x + 2 z.
    const noisy = noisyInput(Float32Array.of(0, 1, 4), 0.5, [1, -0.25, 0.5]);

    expect(Array.from(noisy)).toEqual([2, 0.5, 5]);
    expect(() => noisyInput(Float32Array.of(0, 1), 0.5, [1])).toThrow(
      'noisyInput: expected 2 normal draws, one per input value, got 1',
    );
  });

  it('Box-Muller turns the uniforms (u1, u2) into r cos(2 pi u2), r sin(2 pi u2), r = sqrt(-2 ln(1 - u1))', () => {
    const uniforms = [0.5, 0.25, 1 - Math.exp(-2), 0.5];
    const draws = Array.from(boxMullerNormals(() => uniforms.shift() ?? NaN)(3));

    // r = sqrt(2 ln 2) at angle pi/2; then r = 2 at angle pi, whose sine is dropped (odd count).
    expect(draws[0]).toBeCloseTo(0, 12);
    expect(draws[1]).toBeCloseTo(Math.sqrt(2 * Math.LN2), 12);
    expect(draws[2]).toBeCloseTo(-2, 12);
    expect(uniforms).toEqual([]);
  });

  it('the noise has the standard deviation sigma * (max(x) - min(x))', () => {
    const input = new Float32Array(20000);
    input[0] = 10;
    const noisy = noisyInput(input, 0.1, seededNormals(1)(input.length));
    const rest = Array.from(noisy.subarray(1));
    const mean = rest.reduce((s, v) => s + v, 0) / rest.length;
    const std = Math.sqrt(rest.reduce((s, v) => s + (v - mean) ** 2, 0) / rest.length);

    expect(std).toBeCloseTo(1, 1);
  });

  it('guided grad-cam multiplies the guided map by the normalised Grad-CAM map upsampled to the input', () => {
    const guided = { height: 2, width: 2, data: Float32Array.of(1, 2, 3, 4) };
    const cam = { height: 1, width: 1, data: Float32Array.of(-1) };
    const positive = { height: 1, width: 2, data: Float32Array.of(0, 5) };

    expect(Array.from(guidedGradCamMap(guided, cam).data)).toEqual([0, 0, 0, 0]);
    // The CAM [0, 1] upsampled to width 2 with half-pixel centres stays [0, 1] per row.
    expect(Array.from(guidedGradCamMap(guided, positive).data)).toEqual([0, 2, 0, 4]);
  });
});

describe('reluMinMax', () => {
  it('applies ReLU then min-max to [0, 1]', () => {
    expect(
      Array.from(reluMinMax({ height: 1, width: 3, data: Float32Array.of(1, 3, -1) }).data),
    ).toEqual([1 / 3, 1, 0].map(Math.fround));
  });

  it.each([
    ['constant', [2, 2, 2]],
    ['all negative', [-1, -2, -3]],
    ['all zero', [0, 0, 0]],
  ])('turns a %s map into zeros, never NaN', (_, data) => {
    expect(
      Array.from(reluMinMax({ height: 1, width: 3, data: Float32Array.from(data) }).data),
    ).toEqual([0, 0, 0]);
  });
});
