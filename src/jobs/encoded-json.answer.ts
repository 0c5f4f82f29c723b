import type { JobAnswer } from './job.types';

/**
 * A JSON answer that exists as its UTF-8 bytes: transports send the bytes as
 * they are, and the body is parsed only when something reads it (gRPC
 * mappers, tests), once.
 */
export function encodedJsonAnswer(encoded: Buffer): JobAnswer {
  let parsed: { readonly value: unknown } | undefined;
  return {
    type: 'json',
    encoded,
    get body(): unknown {
      parsed ??= { value: JSON.parse(encoded.toString('utf8')) as unknown };
      return parsed.value;
    },
  };
}
