import type { z } from 'zod';

import { InvalidParameterError } from '../errors/invalid-parameter.error';

/**
 * Validates request parameters (query string merged with form fields) with a
 * zod schema; the first problem becomes an INVALID_PARAMETER error naming it.
 */
export function parseParameters<T extends z.ZodType>(
  schema: T,
  query: unknown,
  fields: Readonly<Record<string, string>> = {},
): z.infer<T> {
  const merged = { ...(typeof query === 'object' && query !== null ? query : {}), ...fields };
  const parsed = schema.safeParse(merged);

  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue === undefined ? 'request' : issue.path.map(String).join('.');
    const received = (merged as Record<string, unknown>)[name];
    throw new InvalidParameterError(name, issue?.message ?? 'valid', received);
  }
  return parsed.data;
}
