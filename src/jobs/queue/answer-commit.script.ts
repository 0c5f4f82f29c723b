import type { Redis } from 'ioredis';

import type { CommitOutcome } from '../job.store';

/**
 * Commits a staged answer in one atomic step: refused when an answer is
 * already stored (a rerun, or an earlier commit whose reply was lost), when
 * the job is cancelled, or when the run's token no longer holds BullMQ's
 * lock (another worker took the job over). Otherwise the staged bytes are
 * renamed into place and the metadata written, both with the result TTL.
 *
 * KEYS: result meta, result data, staged data, cancel flag, job lock.
 * ARGV: meta JSON, TTL in seconds, lock token ('' when there is no lock).
 */
const COMMIT_ANSWER = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'already-written' end
if redis.call('EXISTS', KEYS[4]) == 1 then return 'cancelled' end
if ARGV[3] ~= '' and redis.call('GET', KEYS[5]) ~= ARGV[3] then return 'lock-lost' end
if redis.call('EXISTS', KEYS[3]) == 0 then return 'staged-missing' end
redis.call('RENAME', KEYS[3], KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 'written'
`;

export interface CommitKeys {
  readonly meta: string;
  readonly data: string;
  readonly staged: string;
  readonly cancelled: string;
  readonly lock: string;
}

/** 'staged-missing': the staged bytes vanished (expired, or lost with a Redis without persistence). */
export type ScriptOutcome = CommitOutcome | 'staged-missing';

const OUTCOMES: ReadonlySet<string> = new Set<ScriptOutcome>([
  'written',
  'already-written',
  'cancelled',
  'lock-lost',
  'staged-missing',
]);

export async function runCommitScript(
  redis: Redis,
  keys: CommitKeys,
  meta: Buffer,
  ttlSeconds: number,
  token: string,
): Promise<ScriptOutcome> {
  const reply = await redis.eval(
    COMMIT_ANSWER,
    5,
    keys.meta,
    keys.data,
    keys.staged,
    keys.cancelled,
    keys.lock,
    meta,
    ttlSeconds,
    token,
  );
  const outcome = String(reply);
  if (!OUTCOMES.has(outcome)) {
    throw new Error(`unexpected reply of the answer commit script: ${outcome}`);
  }
  return outcome as ScriptOutcome;
}
