/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { Redis } from 'ioredis';
import request from 'supertest';

import { fashionImages, ReferenceClassifier } from '../../support/queue/fashion-images';
import { delayHandlers } from '../../support/queue/instrumented.handlers';
import { enqueueActivePredict, PREDICT } from '../../support/queue/predict-requests';
import {
  eventually,
  type QueueTestApp,
  sleep,
  startOnPrivateRedis,
  uniquePrefix,
} from '../../support/queue/queue-test.env';
import { RedisServer } from '../../support/queue/redis-server';

/**
 * A private redis-server with its append-only file (as in production), made
 * to go away, fill up or be looked at, with the service in this process.
 */
describe('Redis away, full or inspected (private redis-server)', () => {
  let redis: RedisServer;
  let admin: Redis;
  let reference: ReferenceClassifier;
  let images: Buffer[];
  const apps: QueueTestApp[] = [];

  async function start(env: NodeJS.ProcessEnv, delayMs = 0) {
    const { app, queue } = await startOnPrivateRedis(redis.url, uniquePrefix('outage'), env, {
      wrapHandlers: (handlers) => delayHandlers(handlers, () => delayMs),
    });
    apps.push(app);
    return { app, server: app.app.getHttpServer(), queue };
  }

  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url, { maxRetriesPerRequest: null });
    admin.on('error', () => undefined);
    reference = await ReferenceClassifier.load();
    images = await fashionImages(2);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    admin.disconnect();
    await redis.destroy();
    await reference.release();
  });

  it('should finish a job whose Redis went away for 3 s while it ran, with JOB_ATTEMPTS=1: an outage costs no attempt', async () => {
    const { server, queue } = await start(
      { ROLE: 'all', JOB_ATTEMPTS: '1', JOB_LOCK_DURATION_MS: '10000' },
      1000,
    );

    const jobId = await enqueueActivePredict(server, queue, images[0]);
    // the handler reads its image from Redis 1 s after it started: Redis is away then
    await redis.stop();
    await sleep(3000);
    await redis.resume();

    const finished = await eventually(
      async () => ['completed', 'failed'].includes(await queue.getJobState(jobId)),
      20_000,
      100,
    );
    expect(finished).toBe(true);
    const job = await queue.getJob(jobId);
    expect({ state: await queue.getJobState(jobId), reason: job?.failedReason }).toEqual({
      state: 'completed',
      reason: undefined,
    });
    const result = await request(server).get(`/v1/jobs/${jobId}/result`).expect(200);
    expect(result.body.predictions[0].top[0].index).toBe((await reference.top1(images[0])).index);
    await queue.close();
  });

  it('should answer a synchronous request 503 with Retry-After and its job id soon after Redis goes away, not at REQUEST_TIMEOUT_MS', async () => {
    // no worker: the job stays queued, and the request waits for it
    const { server, queue } = await start({ ROLE: 'api', REQUEST_TIMEOUT_MS: '20000' });

    const answer = request(server).post(PREDICT).set('content-type', 'image/png').send(images[1]);
    const answered = answer.then((response) => response);
    expect(
      await eventually(async () => (await queue.getJobCounts('waiting')).waiting === 1, 15_000, 10),
    ).toBe(true);
    await redis.stop();
    const stoppedAt = Date.now();
    const response = await answered;
    const tookMs = Date.now() - stoppedAt;
    await redis.resume();

    // REDIS_COMMAND_TIMEOUT_MS (500) after the first failed check, itself at most one poll (1 s) late
    expect(tookMs).toBeLessThan(3000);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body.error.code).toBe('REDIS_UNAVAILABLE');
    const jobId = response.body.error.details.jobId as string;
    expect(response.body.error.message).toContain(`GET /v1/jobs/${jobId}/result`);
    expect(
      await eventually(async () => (await queue.getJob(jobId)) !== undefined, 10_000, 100),
    ).toBe(true);
    await queue.close();
  });

  it('should refuse a request with 503 REDIS_UNAVAILABLE and Retry-After, not 500, when Redis is out of memory', async () => {
    const { server, queue } = await start({ ROLE: 'api' });
    await eventually(async () => (await request(server).get('/readyz')).status === 200, 5000);
    const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);

    await admin.config('SET', 'maxmemory', String(used + 1_000_000));
    try {
      // written while under the limit, the last one leaves Redis over it: every write after is refused
      await fillUntilFull(admin, 'outage-test:filler');
      const refused = await request(server)
        .post(PREDICT)
        .set('content-type', 'image/png')
        .send(images[0]);

      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.body.error.code).toBe('REDIS_UNAVAILABLE');
      expect(refused.body.error.message).toContain('OOM command not allowed');
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      await admin.del(...(await admin.keys('outage-test:filler:*')));
    }
    await queue.close();
  });

  it('should name the Redis clients of a worker process after its role', async () => {
    const before = new Set(clientIds(String(await admin.client('LIST'))));
    const { server, queue } = await start({ ROLE: 'worker', WORKER_NAME: 'named-worker' });
    await eventually(async () => (await request(server).get('/readyz')).status === 200, 5000);
    await sleep(200);

    const names = clients(String(await admin.client('LIST')))
      .filter(({ id }) => !before.has(id))
      .map(({ name }) => name)
      .filter((name) => name.startsWith('cnn-lens:'));

    expect(names.sort()).toEqual(
      [
        'cnn-lens:worker:events',
        'cnn-lens:worker:payloads',
        'cnn-lens:worker:queue',
        'cnn-lens:worker:worker',
        'cnn-lens:worker:worker-payloads',
      ].sort(),
    );
    await queue.close();
  });
});

/** Writes 200 KB strings until Redis refuses one for lack of memory. */
async function fillUntilFull(redis: Redis, prefix: string): Promise<void> {
  for (let index = 0; index < 100; index++) {
    try {
      await redis.set(`${prefix}:${index}`, Buffer.alloc(200_000));
    } catch (error) {
      if ((error as Error).message.startsWith('OOM')) {
        return;
      }
      throw error;
    }
  }
  throw new Error('Redis took 20 MB without reaching its maxmemory');
}

function clients(list: string): { id: string; name: string }[] {
  return list
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => ({
      id: /\bid=(\d+)/.exec(line)?.[1] ?? '',
      name: /\bname=(\S*)/.exec(line)?.[1] ?? '',
    }));
}

function clientIds(list: string): string[] {
  return clients(list).map(({ id }) => id);
}
