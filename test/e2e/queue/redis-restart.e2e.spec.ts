/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import type { Queue } from 'bullmq';
import request from 'supertest';

import { fashionImages, ReferenceClassifier } from '../../support/queue/fashion-images';
import { PREDICT } from '../../support/queue/predict-requests';
import {
  eventually,
  type QueueTestApp,
  sleep,
  startOnPrivateRedis,
  uniquePrefix,
} from '../../support/queue/queue-test.env';
import { RedisServer } from '../../support/queue/redis-server';
import { killAllServices, type ServiceProcess } from '../../support/queue/service.process';
import { startStallAwareWorker } from '../../support/queue/stall-aware-worker';

/**
 * A private redis-server is stopped and started again while the API (this
 * process) takes requests and a worker process runs them. Nothing is
 * restarted but Redis.
 */
describe('Redis restarted under load', () => {
  const prefix = uniquePrefix('redis-restart');
  let redis: RedisServer;
  let api: QueueTestApp;
  let worker: ServiceProcess;
  let queue: Queue;
  let reference: ReferenceClassifier;
  let images: Buffer[];

  beforeAll(async () => {
    redis = await RedisServer.start();
    [worker, { app: api, queue }, reference, images] = await Promise.all([
      startStallAwareWorker({ redisUrl: redis.url, prefix, delayMs: 50 }),
      startOnPrivateRedis(redis.url, prefix, { ROLE: 'api' }),
      ReferenceClassifier.load(),
      fashionImages(4),
    ]);
  }, 120_000);

  afterAll(async () => {
    killAllServices();
    await api?.close();
    await queue?.close();
    await redis?.destroy();
    await reference?.release();
  });

  it('should answer 503 REDIS_UNAVAILABLE and fail /readyz while Redis is down, then heal and finish every accepted job', async () => {
    const server = api.app.getHttpServer();
    const accepted: { jobId: string; image: number }[] = [];
    const refused: { status: number; code: string }[] = [];
    let loading = true;

    const load = (async () => {
      for (let sent = 0; loading; sent++) {
        const image = sent % images.length;
        const response = await request(server)
          .post(`${PREDICT}?async=true&top_k=1`)
          .set('content-type', 'image/png')
          .send(images[image]);
        if (response.status === 202) {
          accepted.push({ jobId: response.body.jobId, image });
        } else {
          refused.push({ status: response.status, code: response.body.error?.code });
        }
        await sleep(40);
      }
    })();

    await sleep(700);
    await redis.stop();

    const startedProbe = Date.now();
    const readyDown = await request(server).get('/readyz');
    expect(readyDown.status).toBe(503);
    expect(readyDown.body.redis).toBe('unreachable');
    const refusedNow = await request(server)
      .post(PREDICT)
      .set('content-type', 'image/png')
      .send(images[0]);
    expect(refusedNow.status).toBe(503);
    expect(refusedNow.body.error.code).toBe('REDIS_UNAVAILABLE');
    expect(Date.now() - startedProbe).toBeLessThan(2500);
    await sleep(1000);

    await redis.resume();
    expect(
      await eventually(
        async () => (await request(server).get('/readyz')).status === 200,
        15_000,
        100,
      ),
    ).toBe(true);
    await sleep(700);
    loading = false;
    await load;

    expect(accepted.length).toBeGreaterThan(5);
    expect(refused.length).toBeGreaterThan(0);
    expect(
      refused.every((answer) => answer.status === 503 && answer.code === 'REDIS_UNAVAILABLE'),
    ).toBe(true);
    const finished = await eventually(
      async () =>
        (await Promise.all(accepted.map(({ jobId }) => queue.getJobState(jobId)))).every(
          (s) => s === 'completed',
        ),
      30_000,
      200,
    );
    expect(finished).toBe(true);
    for (const { jobId, image } of accepted) {
      const result = await request(server).get(`/v1/jobs/${jobId}/result`).expect(200);
      expect(result.body.predictions[0].top[0].index).toBe(
        (await reference.top1(images[image])).index,
      );
    }
    expect(worker.child.exitCode).toBeNull();
  });
});
