import { randomUUID } from 'node:crypto';

import type { Redis } from 'ioredis';

import { RedisUnavailableError } from '../../errors/redis-unavailable.error';
import type { CommitOutcome, JobStore, StoredRequest } from '../job.store';
import type { JobAnswer, JobOptions } from '../job.types';
import { runCommitScript } from './answer-commit.script';
import { decodeAnswer, encodeAnswer } from './job-answer.codec';
import { payloadTimeoutMs } from './payload-timeout';
import type { QueueKeys } from './queue.keys';
import { asUnavailable, redisCall } from './redis-call';
import { readyAgain } from './redis-ready.wait';

export interface RedisStoreSettings {
  readonly commandTimeoutMs: number;
  readonly inputTtlSeconds: number;
  readonly resultTtlSeconds: number;
  /**
   * How long an operation that found Redis unavailable waits for it to come
   * back and tries again before it fails: 0 on the API (a caller gets its
   * 503 at once), JOB_LOCK_DURATION_MS in a worker (see createJobStore).
   */
  readonly outageWaitMs: number;
}

/**
 * The job store on Redis strings. Every write sets its TTL in the same step;
 * transfers are bounded by a time that grows with their size
 * (payloadTimeoutMs), so a large answer is not cut off as if Redis were gone.
 * An operation that finds Redis unavailable is tried again once the client
 * has reconnected, for at most `outageWaitMs`: every operation of the store
 * can be repeated without harm (writes set the same value, the commit
 * answers 'already-written' when a lost reply had in fact committed).
 * The client given must have no command timeout of its own.
 */
export class RedisJobStore implements JobStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: QueueKeys,
    private readonly settings: RedisStoreSettings,
  ) {}

  close(): void {
    this.redis.disconnect();
  }

  async putRequest(jobId: string, images: readonly Buffer[], options: JobOptions): Promise<void> {
    const ttl = this.settings.inputTtlSeconds;
    const imageKeys = images.map((_, index) => this.keys.image(jobId, index));
    const request: StoredRequest = { imageKeys, options };
    const write = (): Promise<[Error | null, unknown][] | null> => {
      const transaction = this.redis.multi();
      images.forEach((bytes, index) => transaction.set(imageKeys[index] ?? '', bytes, 'EX', ttl));
      transaction.set(this.keys.request(jobId), JSON.stringify(request), 'EX', ttl);
      return transaction.exec();
    };

    const bytes = images.reduce((sum, image) => sum + image.length, 0);
    const replies = await this.call('store request', bytes, write);
    const failed = replies?.find(([error]) => error !== null);
    if (replies === null || failed !== undefined) {
      throw asUnavailable(
        'store request',
        failed?.[0] ?? new RedisUnavailableError('store request', 'transaction discarded'),
      );
    }
  }

  async request(jobId: string): Promise<StoredRequest | undefined> {
    const text = await this.call('read request', 0, () => this.redis.get(this.keys.request(jobId)));
    return text === null ? undefined : (JSON.parse(text) as StoredRequest);
  }

  image(key: string): Promise<Buffer | undefined> {
    return this.sizedGet('read image', key);
  }

  async forgetRequest(jobId: string): Promise<void> {
    const request = await this.request(jobId);
    const keys = [this.keys.request(jobId), ...(request?.imageKeys ?? [])];
    await this.call('delete request', 0, () => this.redis.del(...keys));
  }

  /**
   * Uploads the bytes under a key of this run's own, then commits them with
   * one small script. A staging write that fails or lands late touches
   * nothing a caller reads; only the script makes the answer visible.
   */
  async commitAnswer(jobId: string, answer: JobAnswer, fence: string): Promise<CommitOutcome> {
    const ttl = this.settings.resultTtlSeconds;
    const stored = encodeAnswer(answer);
    const staged = this.keys.stagedData(jobId, fence === '' ? randomUUID() : fence);
    await this.call('stage answer', stored.data.length, () =>
      this.redis.set(staged, stored.data, 'EX', ttl),
    );

    const outcome = await this.call('commit answer', 0, () =>
      runCommitScript(
        this.redis,
        {
          meta: this.keys.resultMeta(jobId),
          data: this.keys.resultData(jobId),
          staged,
          cancelled: this.keys.cancelled(jobId),
          lock: this.keys.lock(jobId),
        },
        stored.meta,
        ttl,
        fence,
      ),
    );
    if (outcome === 'staged-missing') {
      throw new RedisUnavailableError('commit answer', 'the staged answer was gone');
    }
    if (outcome !== 'written') {
      await this.call('drop staged answer', 0, () => this.redis.del(staged));
    }
    return outcome;
  }

  async hasAnswer(jobId: string): Promise<boolean> {
    const found = await this.call('look for answer', 0, () =>
      this.redis.exists(this.keys.resultMeta(jobId)),
    );
    return found === 1;
  }

  async answer(jobId: string): Promise<JobAnswer | undefined> {
    const meta = await this.call('read answer', 0, () =>
      this.redis.getBuffer(this.keys.resultMeta(jobId)),
    );
    const data =
      meta === null ? undefined : await this.sizedGet('read answer', this.keys.resultData(jobId));
    return meta === null || data === undefined ? undefined : decodeAnswer({ meta, data });
  }

  async flagCancelled(jobId: string): Promise<void> {
    await this.call('flag job cancelled', 0, () =>
      this.redis.set(this.keys.cancelled(jobId), '1', 'EX', this.settings.resultTtlSeconds),
    );
  }

  async isCancelled(jobId: string): Promise<boolean> {
    const flagged = await this.call('read cancel flag', 0, () =>
      this.redis.exists(this.keys.cancelled(jobId)),
    );
    return flagged === 1;
  }

  /** Reads the length first, so the bound of the read fits the bytes it brings. */
  private async sizedGet(operation: string, key: string): Promise<Buffer | undefined> {
    // 0 for a missing key too: that GET is then small and answers null
    const length = await this.call(operation, 0, () => this.redis.strlen(key));
    const bytes = await this.call(operation, length, () => this.redis.getBuffer(key));
    return bytes ?? undefined;
  }

  private async call<T>(operation: string, bytes: number, run: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.settings.outageWaitMs;
    const timeoutMs = payloadTimeoutMs(this.settings.commandTimeoutMs, bytes);

    for (;;) {
      try {
        return await redisCall(operation, timeoutMs, run);
      } catch (error) {
        if (
          !(error instanceof RedisUnavailableError) ||
          !(await readyAgain(this.redis, deadline))
        ) {
          throw error;
        }
      }
    }
  }
}
