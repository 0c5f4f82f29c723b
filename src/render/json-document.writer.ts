/** A JSON value already encoded, as UTF-8 chunks that are concatenated once at the end. */
export type EncodedJson = readonly Buffer[];

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/**
 * A JSON object: the plain fields as JSON.stringify writes them, then the
 * fields whose values are already encoded (large tensors, base64 pictures),
 * which are copied as bytes and never turned back into objects or strings.
 */
export function encodeObject(
  fields: Readonly<Record<string, unknown>>,
  encoded: readonly (readonly [string, EncodedJson])[],
): EncodedJson {
  const plain = JSON.stringify(fields);
  const chunks: Buffer[] = [bytes(plain.slice(0, -1))];

  let first = plain === '{}';
  for (const [key, value] of encoded) {
    chunks.push(bytes(`${first ? '' : ','}${JSON.stringify(key)}:`), ...value);
    first = false;
  }
  chunks.push(bytes('}'));
  return chunks;
}

/** A JSON array of already-encoded values. */
export function encodeArray(items: readonly EncodedJson[]): EncodedJson {
  const chunks: Buffer[] = [bytes('[')];
  items.forEach((item, i) => {
    if (i > 0) {
      chunks.push(bytes(','));
    }
    chunks.push(...item);
  });
  chunks.push(bytes(']'));
  return chunks;
}
