/**
 * How many characters of a caller's text an error quotes: enough to recognise
 * the value, never a whole form field sent back (a 200 KB `layer` would
 * otherwise make a 200 KB error body, and its log line).
 */
export const QUOTED_CHARACTERS = 100;

/** The text's first QUOTED_CHARACTERS, never ending inside a surrogate pair. */
function head(text: string): string {
  const cut = text.slice(0, QUOTED_CHARACTERS);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** A caller's text for an error's details: as given, or its head then `… (N characters)`. */
export function shortened(text: string): string {
  return text.length <= QUOTED_CHARACTERS ? text : `${head(text)}… (${text.length} characters)`;
}

/**
 * A caller's value as an error message quotes it: JSON, so that blanks and
 * commas read as given (`"A,,B"`, `["conv1","conv2"]`), each text cut to its
 * head then `… (N characters)`; `nothing` when no value came.
 */
export function quoted(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= QUOTED_CHARACTERS
      ? JSON.stringify(value)
      : `${JSON.stringify(head(value))}… (${value.length} characters)`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(quoted).join(',')}]`;
  }
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined ? 'nothing' : shortened(json);
}
