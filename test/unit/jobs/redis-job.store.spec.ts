import { Redis } from 'ioredis';

import { QueueKeys } from '../../../src/jobs/queue/queue.keys';
import { RedisJobStore } from '../../../src/jobs/queue/redis-job.store';
import type { JobAnswer } from '../../../src/jobs/job.types';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/queue/queue-test.env';

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
    await redis.set(keys.lock('l1'), 'token-of-the-new-owner');

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
