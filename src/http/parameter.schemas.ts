import { z } from 'zod';

/** A boolean query or form field: true/false, 1/0, yes/no. */
export const booleanParameter = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
