/**
 * A request's fields as the REST query string would carry them: unset and
 * empty fields are left out (so they take the REST defaults), lists joined by commas.
 */
export function asQuery(
  fields: object,
  skip: readonly string[] = [],
): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (skip.includes(name) || value === undefined || value === null) {
      continue;
    }
    if (typeof value === 'number') {
      // as a number: the schemas take numbers so (written as text, 1e-300 would read "1e-300")
      query[name] = value;
      continue;
    }
    const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
    // a list given with only empty items is kept, for the schema to refuse, not read as unset
    if (text !== '' || (Array.isArray(value) && value.length > 0)) {
      query[name] = text;
    }
  }
  return query;
}
