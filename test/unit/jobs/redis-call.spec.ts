import { ReplyError } from 'ioredis';

import { RedisUnavailableError } from '../../../src/errors/redis-unavailable.error';
import { redisCall } from '../../../src/jobs/queue/redis-call';

describe('redisCall', () => {
  it('should turn a Redis that does not answer in time into REDIS_UNAVAILABLE', async () => {
    const never = new Promise<string>(() => undefined);

    const started = Date.now();
    const error = await redisCall('enqueue job', 60, () => never).catch((e: unknown) => e);

    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as RedisUnavailableError).message).toBe(
      'the job queue is unavailable: Redis did not answer "enqueue job" (no answer within 60 ms); retry shortly',
    );
  });

  it('should turn a connection error of ioredis into REDIS_UNAVAILABLE', async () => {
    const offline = () =>
      Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));

    await expect(redisCall('read job', 1000, offline)).rejects.toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      kind: 'unavailable',
      // ioredis's wording names an option the caller never set: said in the service's words
      message:
        'the job queue is unavailable: Redis did not answer "read job" (no connection to Redis); retry shortly',
    });
  });

  it('should leave an error Redis replied with, and any other error, as it is', async () => {
    const RedisReplyError = ReplyError as unknown as new (message: string) => Error;
    const reply = new RedisReplyError(
      'WRONGTYPE Operation against a key holding the wrong kind of value',
    );
    const other = new TypeError('bad');

    await expect(redisCall('x', 1000, () => Promise.reject(reply))).rejects.toBe(reply);
    await expect(redisCall('x', 1000, () => Promise.reject(other))).rejects.toBe(other);
  });

  it.each([
    "OOM command not allowed when used memory > 'maxmemory'.",
    'LOADING Redis is loading the dataset in memory',
    'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    "READONLY You can't write against a read only replica.",
  ])(
    'should turn the error reply "%s" of a Redis unavailable for a while into REDIS_UNAVAILABLE',
    async (text) => {
      const RedisReplyError = ReplyError as unknown as new (message: string) => Error;

      const error = await redisCall('enqueue job', 1000, () =>
        Promise.reject(new RedisReplyError(text)),
      ).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as RedisUnavailableError).message).toBe(
        `the job queue is unavailable: Redis did not answer "enqueue job" (${text}); retry shortly`,
      );
      expect((error as RedisUnavailableError).details()).toEqual({
        operation: 'enqueue job',
        retryAfterSeconds: 1,
      });
    },
  );

  it('should look into an aborted transaction for the reply that made it fail', async () => {
    const RedisReplyError = ReplyError as unknown as new (message: string) => Error;
    const aborted = Object.assign(
      new RedisReplyError('EXECABORT Transaction discarded because of previous errors.'),
      {
        previousErrors: [
          new RedisReplyError("OOM command not allowed when used memory > 'maxmemory'."),
        ],
      },
    );

    await expect(
      redisCall('store request', 1000, () => Promise.reject(aborted)),
    ).rejects.toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      message: expect.stringContaining('OOM command not allowed'),
    });
  });

  it('should count a command aborted by a dropped connection as Redis unavailable', async () => {
    const aborted = new Error('Command aborted due to connection close');

    await expect(
      redisCall('stage answer', 1000, () => Promise.reject(aborted)),
    ).rejects.toMatchObject({
      code: 'REDIS_UNAVAILABLE',
    });
  });
});
