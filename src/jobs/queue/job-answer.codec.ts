import type { JobAnswer } from '../job.types';

/** How an answer sits in the blob store: a small JSON description and the bytes. */
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
      data: Buffer.from(JSON.stringify(answer.body)),
    };
  }

  const meta: AnswerMeta = {
    type: 'binary',
    contentType: answer.contentType,
    metadata: { ...answer.metadata },
  };
  return { meta: Buffer.from(JSON.stringify(meta)), data: answer.data };
}

export function decodeAnswer(stored: StoredAnswer): JobAnswer {
  const meta = JSON.parse(stored.meta.toString('utf8')) as AnswerMeta;

  if (meta.type === 'json') {
    return { type: 'json', body: JSON.parse(stored.data.toString('utf8')) as unknown };
  }
  return {
    type: 'binary',
    contentType: meta.contentType,
    data: stored.data,
    metadata: meta.metadata,
  };
}
