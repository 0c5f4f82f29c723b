import { z } from 'zod';

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no'] as const;

/** A boolean query or form field: true/false, 1/0, yes/no. */
export const booleanParameter = z
  .enum(BOOLEAN_WORDS, { error: `one of ${BOOLEAN_WORDS.join(', ')}` })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * Numbers in decimal notation only, as the settings take them: `0x10`,
 * `0b1`, `1e3`, `Infinity` and an empty value are refused rather than read
 * as numbers (an empty `alpha=` would otherwise be 0). gRPC gives numbers.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const DIGITS = /^[+-]?\d+$/;

function numeric(pattern: RegExp, expected: string) {
  return z.union([z.number(), z.string().trim().regex(pattern).transform(Number)], {
    error: expected,
  });
}

/** A number from min to max, written in decimal. */
export function numberParameter(
  min: number,
  max: number,
  expected = `a number from ${min} to ${max}`,
) {
  return numeric(DECIMAL, expected).pipe(
    z.number({ error: expected }).min(min, { error: expected }).max(max, { error: expected }),
  );
}

/** An integer from min to max, written as decimal digits (`5.0` is refused too). */
export function integerParameter(
  min: number,
  max: number,
  expected = `an integer from ${min} to ${max}`,
) {
  return numeric(DIGITS, expected).pipe(
    z
      .number({ error: expected })
      .int({ error: expected })
      .min(min, { error: expected })
      .max(max, { error: expected }),
  );
}
