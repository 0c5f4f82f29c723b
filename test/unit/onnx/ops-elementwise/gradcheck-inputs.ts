import { seededRandom, separatedValues } from '../../../support/seeded-random';

/**
 * `count` values in [-scale, scale], none within scale / (2 count) of the
 * grid points -scale + k * 2 scale / count: put an operator's kinks (0, the
 * Clip bounds, HardSwish's +-3) on that grid and no finite-difference step
 * crosses one.
 */
export function spread(count: number, scale = 1, seed = 7): Float32Array {
  return separatedValues(count, seededRandom(seed)).map((value) => value * scale);
}

/** The element count of a shape. */
export const countOf = (shape: readonly number[]): number =>
  shape.reduce((product, dim) => product * dim, 1);
