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
});
