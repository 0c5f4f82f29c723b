import { z } from 'zod';

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no'] as const;

/** A boolean query or form field: true/false, 1/0, yes/no. */
export const booleanParameter = z
  .enum(BOOLEAN_WORDS, { error: `one of ${BOOLEAN_WORDS.join(', ')}` })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
