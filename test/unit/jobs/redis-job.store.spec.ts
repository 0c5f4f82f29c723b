import { once } from 'node:events';

import { Redis } from 'ioredis';

import { QueueKeys } from '../../../src/jobs/queue/queue.keys';
import { createCommandClient } from '../../../src/jobs/queue/redis-client.factory';
import { RedisJobStore } from '../../../src/jobs/queue/redis-job.store';
import type { JobAnswer } from '../../../src/jobs/job.types';
import {
  dropPrefix,
  sleep,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../../support/queue/queue-test.env';
import { RedisServer } from '../../support/queue/redis-server';
import { silentLogger } from '../../support/silent-logger';

const PNG_ANSWER: JobAnswer = {
  type: 'binary',
  contentType: 'image/png',
  data: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
  metadata: { layer: 'conv2' },
};

describe('RedisJobStore (real Redis)', () => {
  const prefix = uniquePrefix('job-store');
  const keys = new QueueKeys(prefix);
  const redis = new Redis(TEST_REDIS_URL);
  const store = new RedisJobStore(new Redis(TEST_REDIS_URL), keys, {
    commandTimeoutMs: 2000,
    inputTtlSeconds: 120,
    resultTtlSeconds: 300,
    outageWaitMs: 0,
  });

  afterAll(async () => {
    store.close();
    redis.disconnect();
    await dropPrefix(prefix);
  });

  it('should store a request and its images with the input TTL, and forget both', async () => {
    await store.putRequest('r1', [Buffer.from('a'), Buffer.from('bc')], { method: 'gradcam' });

    const request = await store.request('r1');
    expect(request).toEqual({
      imageKeys: [keys.image('r1', 0), keys.image('r1', 1)],
      options: { method: 'gradcam' },
    });
    expect((await store.image(keys.image('r1', 1)))?.toString()).toBe('bc');
    const ttl = await redis.ttl(keys.request('r1'));
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);

    await store.forgetRequest('r1');
    expect(await store.request('r1')).toBeUndefined();
    expect(await redis.exists(keys.image('r1', 0), keys.image('r1', 1))).toBe(0);
  });

  it('should write an answer once: a second commit is refused and leaves the first', async () => {
    expect(await store.commitAnswer('a1', PNG_ANSWER, '')).toBe('written');
    const other: JobAnswer = { ...PNG_ANSWER, data: Buffer.from('other') };

    expect(await store.commitAnswer('a1', other, '')).toBe('already-written');
    const stored = await store.answer('a1');
    expect(stored?.type === 'binary' ? stored.data : undefined).toEqual(PNG_ANSWER.data);
    expect(await redis.ttl(keys.resultData('a1'))).toBeGreaterThan(290);
    // nothing staged is left behind by either commit
    expect(await redis.keys(`${keys.stagedData('a1', '*')}`)).toEqual([]);
  });

  it('should refuse the answer of a cancelled job', async () => {
    await store.flagCancelled('c1');

    expect(await store.isCancelled('c1')).toBe(true);
    expect(await store.commitAnswer('c1', PNG_ANSWER, '')).toBe('cancelled');
    expect(await store.hasAnswer('c1')).toBe(false);
  });

  it("should refuse the answer of a run whose token no longer holds the job's lock", async () => {
    // BullMQ's own key of the lock, written out: a QueueKeys.lock() that drifted from it would fail here
    await redis.set(`${prefix}:cnn-lens-jobs:l1:lock`, 'token-of-the-new-owner');

    expect(await store.commitAnswer('l1', PNG_ANSWER, 'token-of-the-old-run')).toBe('lock-lost');
    expect(await store.hasAnswer('l1')).toBe(false);
    expect(await redis.exists(keys.stagedData('l1', 'token-of-the-old-run'))).toBe(0);

    expect(await store.commitAnswer('l1', PNG_ANSWER, 'token-of-the-new-owner')).toBe('written');
  });

  it('should give back a JSON answer as its stored bytes', async () => {
    await store.commitAnswer('j1', { type: 'json', body: { top: [{ index: 4 }] } }, '');

    const stored = await store.answer('j1');

    expect(stored?.type).toBe('json');
    expect(stored?.type === 'json' ? stored.encoded?.toString() : undefined).toBe(
      '{"top":[{"index":4}]}',
    );
    expect(stored?.type === 'json' ? stored.body : undefined).toEqual({ top: [{ index: 4 }] });
  });

  it('should answer undefined for a job without an answer', async () => {
    expect(await store.answer('none')).toBeUndefined();
    expect(await store.hasAnswer('none')).toBe(false);
  });
});

describe('RedisJobStore while Redis is away (private redis-server)', () => {
  let server: RedisServer;
  const keys = new QueueKeys('outage');

  beforeAll(async () => {
    server = await RedisServer.start();
  });

  afterAll(async () => {
    await server.destroy();
  });

  const stores: RedisJobStore[] = [];

  afterEach(() => {
    stores.splice(0).forEach((store) => store.close());
  });

  /** A store on the service's own kind of client, connected before it is returned. */
  async function storeOn(outageWaitMs: number): Promise<RedisJobStore> {
    const client = createCommandClient({ url: server.url, name: 'test' }, silentLogger);
    await once(client, 'ready');
    const store = new RedisJobStore(client, keys, {
      commandTimeoutMs: 500,
      inputTtlSeconds: 120,
      resultTtlSeconds: 300,
      outageWaitMs,
    });
    stores.push(store);
    return store;
  }

  it('should wait within outageWaitMs for Redis to come back, then do the operation', async () => {
    const store = await storeOn(10_000);
    await store.putRequest('o1', [Buffer.from('kept')], { top_k: 1 });
    await server.stop();

    const reading = store.request('o1');
    const committing = store.commitAnswer('o1', PNG_ANSWER, '');
    await sleep(1500);
    await server.resume();

    expect(await reading).toEqual({ imageKeys: [keys.image('o1', 0)], options: { top_k: 1 } });
    expect(await committing).toBe('written');
    expect(await store.hasAnswer('o1')).toBe(true);
  });

  it('should fail at once with REDIS_UNAVAILABLE when it may not wait (the API side)', async () => {
    const store = await storeOn(0);
    await server.stop();

    const started = Date.now();
    const error = await store.hasAnswer('o2').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1000);
    await server.resume();
  });

  it('should give up with REDIS_UNAVAILABLE when Redis stays away past outageWaitMs', async () => {
    const store = await storeOn(800);
    await server.stop();

    const started = Date.now();
    const error = await store.hasAnswer('o3').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(750);
    expect(Date.now() - started).toBeLessThan(3000);
    await server.resume();
  });
});
