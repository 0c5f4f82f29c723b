import { DomainError } from '../../../src/errors/domain-error';
import {
  applyColormap,
  applyDivergingColormap,
  colorize,
} from '../../../src/imaging/colormap.apply';
import { COLORMAP_NAMES, parseColormapName } from '../../../src/imaging/colormap.names';

const rgbOf = (bytes: Uint8Array, i: number): number[] =>
  Array.from(bytes.subarray(3 * i, 3 * i + 3));

function expectNear(actual: number[], expected: number[], tolerance: number): void {
  actual.forEach((v, c) => expect(Math.abs(v - expected[c])).toBeLessThanOrEqual(tolerance));
}

describe('applyColormap', () => {
  // Endpoints as published: matplotlib's _cm_listed tables (viridis #440154 .. #fde725),
  // matplotlib's _jet_data (blue 0.5 at 0, red 0.5 at 1), Turbo's polynomial constant terms
  // and coefficient sums (0.1357, 0.0914, 0.1067) and (0.566, 0.052, -0.014 -> 0).
  const endpoints: Record<string, [number[], number[]]> = {
    jet: [
      [0, 0, 128],
      [128, 0, 0],
    ],
    turbo: [
      [35, 23, 27],
      [144, 13, 0],
    ],
    viridis: [
      [0x44, 0x01, 0x54],
      [0xfd, 0xe7, 0x25],
    ],
    inferno: [
      [0, 0, 4],
      [252, 255, 164],
    ],
    magma: [
      [0, 0, 4],
      [252, 253, 191],
    ],
    gray: [
      [0, 0, 0],
      [255, 255, 255],
    ],
  };

  it.each(COLORMAP_NAMES)('%s has its published colours at 0 and 1', (name) => {
    const rgb = applyColormap(new Float32Array([0, 1]), name);

    expectNear(rgbOf(rgb, 0), endpoints[name][0], 1);
    expectNear(rgbOf(rgb, 1), endpoints[name][1], 1);
  });

  it('uses jet by default and matches matplotlib jet(0.5) = (0.490, 1, 0.478)', () => {
    const rgb = applyColormap(new Float32Array([0.5]));

    expectNear(rgbOf(rgb, 0), [125, 255, 122], 1);
  });

  it('keeps turbo within 20 units of the published table in the middle: turbo(0.5) = (164, 252, 60)', () => {
    expectNear(rgbOf(applyColormap(new Float32Array([0.5]), 'turbo'), 0), [164, 252, 60], 20);
  });

  it('picks table entry floor(v * 256) like matplotlib: viridis(0.5) is entry 128', () => {
    // entry 128 of matplotlib's viridis: (0.127568, 0.566949, 0.550556)
    expectNear(rgbOf(applyColormap(new Float32Array([0.5]), 'viridis'), 0), [33, 145, 140], 0);
  });

  it('clamps out-of-range values and paints NaN as 0', () => {
    const rgb = applyColormap(new Float32Array([-3, 7, NaN]), 'gray');

    expect(Array.from(rgb)).toEqual([0, 0, 0, 255, 255, 255, 0, 0, 0]);
  });
});

describe('applyDivergingColormap', () => {
  it('coolwarm runs from Moreland blue through grey 221 to Moreland red', () => {
    // matplotlib coolwarm: (0.2298, 0.2987, 0.7537), (0.8650, 0.8650, 0.8650), (0.7057, 0.0156, 0.1502)
    const rgb = applyDivergingColormap(new Float32Array([-1, 0, 1]), 'coolwarm');

    expectNear(rgbOf(rgb, 0), [59, 76, 192], 1);
    expectNear(rgbOf(rgb, 1), [221, 221, 221], 1);
    expectNear(rgbOf(rgb, 2), [180, 4, 38], 1);
  });

  it('coolwarm matches matplotlib at the quarter points', () => {
    // matplotlib coolwarm(0.25) = (0.552, 0.690, 0.997), coolwarm(0.75) = (0.958, 0.604, 0.484)
    const rgb = applyDivergingColormap(new Float32Array([-0.5, 0.5]), 'coolwarm');

    expectNear(rgbOf(rgb, 0), [141, 176, 254], 3);
    expectNear(rgbOf(rgb, 1), [244, 154, 123], 3);
  });

  it('bwr is blue, white and red at -1, 0 and 1; NaN is the centre', () => {
    const rgb = applyDivergingColormap(new Float32Array([-1, 0, 1, NaN]), 'bwr');

    expect(Array.from(rgb)).toEqual([0, 0, 255, 255, 255, 255, 255, 0, 0, 255, 255, 255]);
  });

  it('is reached through colorize by name', () => {
    expect(Array.from(colorize(new Float32Array([1]), 'bwr'))).toEqual([255, 0, 0]);
    expect(Array.from(colorize(new Float32Array([1]), 'gray'))).toEqual([255, 255, 255]);
  });
});

describe('parseColormapName', () => {
  it('defaults to jet', () => {
    expect(parseColormapName(undefined)).toBe('jet');
  });

  it('refuses an unknown name, listing the accepted ones', () => {
    let error: unknown;
    try {
      parseColormapName('rainbow');
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INVALID_PARAMETER');
    expect((error as DomainError).message).toBe(
      'parameter "colormap" must be one of jet, turbo, viridis, inferno, magma, gray, coolwarm, bwr; received "rainbow"',
    );
  });
});
