import { EventEmitter } from 'node:events';

import type { QueueEvents } from 'bullmq';
import { type Redis, ReplyError } from 'ioredis';

import { RedisUnavailableError } from '../../../src/errors/redis-unavailable.error';
import { MemoryJobStore } from '../../../src/jobs/memory-job.store';
import { JobCompletionWatcher } from '../../../src/jobs/queue/job-completion.watcher';
import { type CnnLensQueue, QueueJobRunner } from '../../../src/jobs/queue/queue-job.runner';
import { QueueKeys } from '../../../src/jobs/queue/queue.keys';
import { RedisJobStore } from '../../../src/jobs/queue/redis-job.store';
import { silentLogger } from '../../support/silent-logger';

const RedisReplyError = ReplyError as unknown as new (message: string) => Error;
const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

/** The API's runner on a stubbed BullMQ queue whose add() gets the given error reply. */
function runnerWhoseAddFails(reply: Error) {
  const store = new MemoryJobStore({ inputTtlSeconds: 60, resultTtlSeconds: 60 });
  const queue = {
    count: () => Promise.resolve(0),
    add: () => Promise.reject(reply),
  } as unknown as CnnLensQueue;
  const watcher = new JobCompletionWatcher(
    new EventEmitter() as unknown as QueueEvents,
    { disconnect: () => undefined, status: 'ready' },
    { pollMs: 1000 },
  );
  const runner = new QueueJobRunner(
    queue,
    {} as Redis,
    store,
    watcher,
    { maxDepth: 10, attempts: 3, backoffMs: 10, resultTtlSeconds: 60, commandTimeoutMs: 500 },
    silentLogger,
  );
  return { runner, store };
}

describe('Redis error replies on the API side', () => {
  it.each([
    OOM,
    'LOADING Redis is loading the dataset in memory',
    'MASTERDOWN Link with MASTER is down',
  ])(
    'should refuse a submit whose enqueue gets "%s" with 503 REDIS_UNAVAILABLE and Retry-After, not 500',
    async (text) => {
      const { runner } = runnerWhoseAddFails(new RedisReplyError(text));

      const error = await runner
        .submit('predict', 'fashion-mnist', [Buffer.alloc(4)], {})
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect(error).toMatchObject({ code: 'REDIS_UNAVAILABLE', kind: 'unavailable' });
      expect((error as RedisUnavailableError).message).toContain(text);
      expect((error as RedisUnavailableError).details()).toEqual({
        operation: 'enqueue job',
        retryAfterSeconds: 1,
      });
    },
  );

  it('should delete the stored request of a submit Redis refused', async () => {
    const { runner, store } = runnerWhoseAddFails(new RedisReplyError(OOM));
    const forgotten = jest.spyOn(store, 'forgetRequest');

    await expect(runner.submit('predict', 'fashion-mnist', [Buffer.alloc(4)], {})).rejects.toThrow(
      RedisUnavailableError,
    );

    expect(forgotten).toHaveBeenCalledTimes(1);
    expect(await store.request(String(forgotten.mock.calls[0]?.[0]))).toBeUndefined();
  });

  it('should leave an error reply that is a bug (WRONGTYPE) as it is', async () => {
    const wrongType = new RedisReplyError(
      'WRONGTYPE Operation against a key holding the wrong kind of value',
    );
    const { runner } = runnerWhoseAddFails(wrongType);

    await expect(runner.submit('predict', 'fashion-mnist', [], {})).rejects.toBe(wrongType);
  });

  it('should refuse a request whose store transaction Redis aborted for lack of memory with REDIS_UNAVAILABLE', async () => {
    const aborted = Object.assign(
      new RedisReplyError('EXECABORT Transaction discarded because of previous errors.'),
      { previousErrors: [new RedisReplyError(OOM)] },
    );
    const transaction = { set: () => transaction, exec: () => Promise.reject(aborted) };
    const redis = { status: 'ready', multi: () => transaction } as unknown as Redis;
    const store = new RedisJobStore(redis, new QueueKeys('test'), {
      commandTimeoutMs: 500,
      inputTtlSeconds: 60,
      resultTtlSeconds: 60,
      outageWaitMs: 0,
    });

    const error = await store.putRequest('j1', [Buffer.alloc(4)], {}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as RedisUnavailableError).message).toBe(
      `the job queue is unavailable: Redis did not answer "store request" (${OOM}); retry shortly`,
    );
  });
});
