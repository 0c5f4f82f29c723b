import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';

import { dropPrefix, inspectQueue, TEST_REDIS_URL, uniquePrefix } from './queue-test.env';

/** A fresh key prefix on the shared test Redis, with a client and a BullMQ handle on it. */
export interface QueueFixture {
  readonly prefix: string;
  readonly redis: Redis;
  readonly queue: Queue;
  /** Closes both handles and deletes every key of the prefix. */
  close(): Promise<void>;
}

export function queueFixture(name: string): QueueFixture {
  const prefix = uniquePrefix(name);
  const redis = new Redis(TEST_REDIS_URL);
  const queue = inspectQueue(prefix);

  return {
    prefix,
    redis,
    queue,
    close: async () => {
      await queue.close();
      await dropPrefix(prefix);
      redis.disconnect();
    },
  };
}
