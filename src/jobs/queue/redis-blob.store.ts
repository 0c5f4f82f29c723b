import type { Redis } from 'ioredis';

import type { BlobEntry, BlobStore } from './blob.store';
import { redisCall } from './redis-call';

/** BlobStore on Redis strings; every write sets its TTL in the same transaction. */
export class RedisBlobStore implements BlobStore {
  constructor(
    private readonly redis: Redis,
    private readonly timeoutMs: number,
  ) {}

  async put(entries: readonly BlobEntry[], ttlSeconds: number): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    const transaction = this.redis.multi();
    for (const entry of entries) {
      transaction.set(entry.key, entry.bytes, 'EX', ttlSeconds);
    }

    const replies = await redisCall('store payload', this.timeoutMs, () => transaction.exec());
    const failed = replies?.find(([error]) => error !== null);
    if (replies === null || failed !== undefined) {
      throw failed?.[0] ?? new Error('redis discarded the payload transaction');
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    const bytes = await redisCall('read payload', this.timeoutMs, () => this.redis.getBuffer(key));
    return bytes ?? undefined;
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) {
      await redisCall('delete payload', this.timeoutMs, () => this.redis.del(...keys));
    }
  }
}
