import { z } from 'zod';

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no'] as const;

/** A boolean query or form field: true/false, 1/0, yes/no. */
export const booleanParameter = z
  .enum(BOOLEAN_WORDS, { error: `one of ${BOOLEAN_WORDS.join(', ')}` })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

interface Notation {
  readonly pattern: RegExp;
  /** How the text must be written, for the message of a value written otherwise. */
  readonly written: string;
}

/**
 * Numbers in decimal notation only, as README's parameter rules write them:
 * digits, then a fraction after a point for a number (not an integer), and a
 * leading minus only where the range has negatives. `+1`, ` 5`, `0x10`, `1e3`,
 * `.5`, `Infinity` and an empty value are refused rather than read as numbers
 * (an empty `alpha=` would otherwise be 0). gRPC gives numbers.
 */
function notation(signed: boolean, fraction: boolean): Notation {
  const pattern = new RegExp(`^${signed ? '-?' : ''}\\d+${fraction ? '(?:\\.\\d+)?' : ''}$`);
  const form = fraction
    ? `with an optional fraction such as ${signed ? '-' : ''}0.25`
    : signed
      ? 'with a leading minus if negative'
      : 'only';
  const refused = [signed ? 'plus sign' : 'sign', 'blanks', ...(fraction ? [] : ['point'])];
  return {
    pattern,
    written: `written as decimal digits ${form} (no ${refused.join(', ')} or exponent)`,
  };
}

/** A number as gRPC gives it, or as text in the notation; else the message says how to write it. */
function numeric(expected: string, { pattern, written }: Notation) {
  return z.union([z.number(), z.string().regex(pattern).transform(Number)], {
    error: `${expected}, ${written}`,
  });
}

/** A number from min to max, written in decimal. */
export function numberParameter(
  min: number,
  max: number,
  expected = `a number from ${min} to ${max}`,
) {
  return numeric(expected, notation(min < 0, true)).pipe(
    z.number({ error: expected }).min(min).max(max),
  );
}

/** An integer from min to max, written as decimal digits (`5.0` is refused too). */
export function integerParameter(
  min: number,
  max: number,
  expected = `an integer from ${min} to ${max}`,
) {
  return numeric(expected, notation(min < 0, false)).pipe(
    z.number({ error: expected }).int().min(min).max(max),
  );
}
