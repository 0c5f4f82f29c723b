import { encodedJsonAnswer } from '../encoded-json.answer';
import type { JobAnswer } from '../job.types';

/** How an answer sits in the job store: a small JSON description and the bytes. */
export interface StoredAnswer {
  readonly meta: Buffer;
  readonly data: Buffer;
}

type AnswerMeta =
  | { readonly type: 'json' }
  | {
      readonly type: 'binary';
      readonly contentType: string;
      readonly metadata: Record<string, string | number>;
    };

export function encodeAnswer(answer: JobAnswer): StoredAnswer {
  if (answer.type === 'json') {
    const meta: AnswerMeta = { type: 'json' };
    return {
      meta: Buffer.from(JSON.stringify(meta)),
      data: answer.encoded ?? Buffer.from(JSON.stringify(answer.body)),
    };
  }

  const meta: AnswerMeta = {
    type: 'binary',
    contentType: answer.contentType,
    metadata: { ...answer.metadata },
  };
  return { meta: Buffer.from(JSON.stringify(meta)), data: answer.data };
}

/**
 * The stored answer as the API sends it: a JSON document stays its stored
 * bytes, parsed only if something reads its body, so a large answer never
 * holds the API's event loop in JSON.parse just to be written out again.
 */
export function decodeAnswer(stored: StoredAnswer): JobAnswer {
  const meta = JSON.parse(stored.meta.toString('utf8')) as AnswerMeta;

  if (meta.type === 'json') {
    return encodedJsonAnswer(stored.data);
  }
  return {
    type: 'binary',
    contentType: meta.contentType,
    data: stored.data,
    metadata: meta.metadata,
  };
}
