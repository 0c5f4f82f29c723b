import { z } from 'zod';

import { InvalidParameterError } from '../errors/invalid-parameter.error';
import { UnknownParameterError } from '../errors/unknown-parameter.error';

/** A parameter's value or values: repeated in the query string or as form fields, it is a list. */
export type ParameterValue = string | readonly string[];

const valuesOf = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Query string and form fields as one set of parameters. A parameter given in
 * both counts as repeated, as when repeated in the query string: a list takes
 * every value, any other parameter is refused. The same values in both are
 * taken once (a client that copies its query into the form means one thing).
 */
export function mergeParameters(
  query: unknown,
  fields: Readonly<Record<string, ParameterValue>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {
    ...(typeof query === 'object' && query !== null ? query : {}),
  };

  for (const [name, value] of Object.entries(fields)) {
    const inQuery = valuesOf(merged[name]);
    const inForm = valuesOf(value);
    const alike = inQuery.length === inForm.length && inQuery.every((v, i) => v === inForm[i]);
    merged[name] = inQuery.length === 0 || alike ? value : [...inQuery, ...inForm];
  }
  return merged;
}

/** The schema under optional(), default() and transform(): what checks the text given. */
function innermost(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodOptional || field instanceof z.ZodDefault) {
    return innermost(field.unwrap() as z.ZodType);
  }
  if (field instanceof z.ZodPipe) {
    return innermost(field.in as z.ZodType);
  }
  return field;
}

/** Whether a parameter takes a list, given alone or among other forms (`z.union([z.string(), z.array(...)])`). */
function takesList(field: z.ZodType): boolean {
  const inner = innermost(field);
  if (inner instanceof z.ZodUnion) {
    return (inner.options as z.ZodType[]).some((option) => takesList(option));
  }
  return inner instanceof z.ZodArray;
}

/**
 * A parameter whose schema lists fixed words (method, output, format, colormap,
 * booleans such as async) takes them in any case: `method=GradCAM` and
 * `async=TRUE` mean gradcam and true. The value becomes the schema's own
 * spelling, which is what answers report back; other values are left for the
 * schema to refuse, listing the valid words.
 */
function canonicalWords(
  schema: z.ZodType,
  parameters: Record<string, unknown>,
): Record<string, unknown> {
  return mapByField(schema, parameters, (field, value) => {
    const inner = innermost(field);
    if (!(inner instanceof z.ZodEnum)) {
      return value;
    }
    const words = (inner.options as unknown[]).filter((word) => typeof word === 'string');
    const canonical = (given: unknown): unknown =>
      typeof given === 'string'
        ? (words.find((word) => word.toLowerCase() === given.toLowerCase()) ?? given)
        : given;
    return Array.isArray(value) ? value.map(canonical) : canonical(value);
  });
}

/**
 * A parameter that takes one value, given several times with that same
 * value (`?alpha=0.3&alpha=0.3`, a form field sent twice, or the query and
 * the form alike) means that value once. A parameter takes one value when
 * its schema refuses a list; different values stay a list, and are refused.
 */
function foldIdenticalRepeats(
  schema: z.ZodType,
  parameters: Record<string, unknown>,
): Record<string, unknown> {
  return mapByField(schema, parameters, (field, value) => {
    if (!Array.isArray(value) || value.length < 2) {
      return value;
    }
    const first: unknown = value[0];
    const identical = value.every((item) => item === first);
    return identical && !takesList(field) ? first : value;
  });
}

/** Rewrites each parameter the object schema knows, by its field; unknown ones are left for the schema. */
function mapByField(
  schema: z.ZodType,
  parameters: Record<string, unknown>,
  rewrite: (field: z.ZodType, value: unknown) => unknown,
): Record<string, unknown> {
  if (!(schema instanceof z.ZodObject)) {
    return parameters;
  }
  const shape = schema.shape as Record<string, z.ZodType | undefined>;
  return Object.fromEntries(
    Object.entries(parameters).map(([name, value]) => {
      const field = shape[name];
      return [name, field === undefined ? value : rewrite(field, value)];
    }),
  );
}

function fieldOf(schema: z.ZodType, name: string): z.ZodType {
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  return shape[name] ?? schema;
}

function unknownParameters(schema: z.ZodType, given: Record<string, unknown>): void {
  if (!(schema instanceof z.ZodObject)) {
    return;
  }
  const accepted = Object.keys(schema.shape);
  const unknown = Object.keys(given).filter((name) => !accepted.includes(name));
  if (unknown.length > 0) {
    throw new UnknownParameterError(unknown, accepted);
  }
}

/**
 * Validates request parameters (query string merged with form fields) with a
 * zod schema; the first problem becomes an INVALID_PARAMETER error naming it.
 * A single-valued parameter repeated with one value counts once; fixed words
 * (enums and booleans) are taken in any case and reported in the schema's.
 * A schema made strict (`.strict()`) also refuses parameters it does not name,
 * listing those it accepts; others ignore them.
 */
export function parseParameters<T extends z.ZodType>(
  schema: T,
  query: unknown,
  fields: Readonly<Record<string, ParameterValue>> = {},
): z.infer<T> {
  const merged = foldIdenticalRepeats(
    schema,
    canonicalWords(schema, mergeParameters(query, fields)),
  );
  const parsed = schema.safeParse(merged);

  if (!parsed.success) {
    if (parsed.error.issues.some((problem) => problem.code === 'unrecognized_keys')) {
      unknownParameters(schema, merged);
    }
    const issue = parsed.error.issues[0];
    // An item of a list parameter is reported as the parameter, with every value it was given.
    const name = issue?.path[0] === undefined ? 'request' : String(issue.path[0]);
    const received = merged[name];
    // A single-valued parameter given twice: say so, with what one value may be when the
    // schema words it (zod's own "Invalid input: expected string, received array" says nothing more).
    const worded = issue?.message.startsWith('Invalid input') === true ? undefined : issue?.message;
    const expected =
      Array.isArray(received) && !takesList(fieldOf(schema, name))
        ? ['a single value', worded].filter((part) => part !== undefined).join(', ')
        : (issue?.message ?? 'valid');
    throw new InvalidParameterError(name, expected, received);
  }
  return parsed.data;
}
