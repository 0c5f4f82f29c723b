/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { Redis } from 'ioredis';
import request from 'supertest';

import { RedisUnavailableError } from '../../../src/errors/redis-unavailable.error';
import type { JobHandler } from '../../../src/jobs/job-handler';
import type { JobHandlerRegistry } from '../../../src/jobs/job-handler.registry';
import type { JobKind } from '../../../src/jobs/job.types';
import { QueueKeys } from '../../../src/jobs/queue/queue.keys';
import { fashionImages, ReferenceClassifier } from '../../support/queue/fashion-images';
import { delayHandlers } from '../../support/queue/instrumented.handlers';
import { PREDICT } from '../../support/queue/predict-requests';
import { queueFixture } from '../../support/queue/queue-fixture';
import {
  dropPrefix,
  eventually,
  hangUpAfter,
  inspectQueue,
  type QueueTestApp,
  startQueueApp,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../../support/queue/queue-test.env';

/** Fails the first `failures` runs of every job with a retryable error (Redis away), then runs normally. */
function flaky(handlers: JobHandlerRegistry, failures: number): JobHandlerRegistry {
  const runs = new Map<string, number>();
  return new Map<JobKind, JobHandler>(
    [...handlers].map(([kind, inner]) => [
      kind,
      {
        run: async (data, context) => {
          const run = (runs.get(context.jobId) ?? 0) + 1;
          runs.set(context.jobId, run);
          if (run <= failures) {
            throw new RedisUnavailableError('test', `injected failure ${run}`);
          }
          return inner.run(data, context);
        },
      },
    ]),
  );
}

describe('queue mode (API and worker in one process, real Redis)', () => {
  const { prefix, redis, queue, close: closeFixture } = queueFixture('queue-mode');
  let reference: ReferenceClassifier;
  let images: Buffer[];
  let service: QueueTestApp;

  beforeAll(async () => {
    reference = await ReferenceClassifier.load();
    images = await fashionImages(3);
    service = await startQueueApp(
      {
        ROLE: 'all',
        QUEUE_PREFIX: prefix,
        JOB_BACKOFF_MS: '20',
        REQUEST_TIMEOUT_MS: '10000',
        WORKER_NAME: 'queue-mode-worker',
      },
      { wrapHandlers: (handlers) => flaky(handlers, 0) },
    );
  });

  afterAll(async () => {
    await service.close();
    await closeFixture();
    await reference.release();
  });

  it('should answer a synchronous predict through the queue with the reference class', async () => {
    const expected = await reference.top1(images[0]);

    const response = await request(service.app.getHttpServer())
      .post(PREDICT)
      .set('content-type', 'image/png')
      .send(images[0])
      .expect(200);

    const top = response.body.predictions[0].top[0];
    expect(top.index).toBe(expected.index);
    expect(top.probability).toBeCloseTo(expected.probability, 4);
    const job = await queue.getJob(response.headers['x-cnn-lens-job-id']);
    expect(job?.finishedOn).toBeDefined();
  });

  it('should keep the job data under 1 KB for a 1 MB image, the bytes and options under keys with a TTL', async () => {
    const big = await fashionImagesOfSize(1100);
    expect(big.length).toBeGreaterThan(1_000_000);

    const accepted = await request(service.app.getHttpServer())
      .post(`${PREDICT}?async=true`)
      .set('content-type', 'image/png')
      .send(big)
      .expect(202);

    const jobId = accepted.body.jobId as string;
    const job = await queue.getJob(jobId);
    expect(job?.data).toEqual({ kind: 'predict', model: 'fashion-mnist' });
    const keys = new QueueKeys(prefix);
    // -2: the job already finished and its request was deleted
    for (const key of [keys.image(jobId, 0), keys.request(jobId)]) {
      const ttl = await redis.ttl(key);
      expect(ttl === -2 || (ttl > 0 && ttl <= 3600)).toBe(true);
    }
  });

  it('should answer async=true with 202 and a Location, then state and result under /v1/jobs', async () => {
    const server = service.app.getHttpServer();

    const accepted = await request(server)
      .post(`${PREDICT}?async=true`)
      .set('content-type', 'image/png')
      .send(images[1])
      .expect(202);
    expect(accepted.headers.location).toBe(`/v1/jobs/${accepted.body.jobId}`);

    const done = await eventually(
      async () => (await request(server).get(accepted.headers.location)).body.state === 'completed',
      10_000,
    );
    expect(done).toBe(true);
    const status = await request(server).get(accepted.headers.location).expect(200);
    expect(status.body).toMatchObject({
      id: accepted.body.jobId,
      kind: 'predict',
      model: 'fashion-mnist',
      state: 'completed',
      progress: 1,
      worker: 'queue-mode-worker',
    });
    const result = await request(server).get(`${accepted.headers.location}/result`).expect(200);
    expect(result.body.predictions[0].top[0].index).toBe((await reference.top1(images[1])).index);
  });

  it('should fail bad input at once, without retries, with its error code', async () => {
    const server = service.app.getHttpServer();

    const response = await request(server)
      .post(PREDICT)
      .set('content-type', 'image/png')
      .send(Buffer.from('not an image'))
      .expect(415);
    expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    // A PNG cut short: its header reads (the API accepts the job), its pixels do not (the job fails).
    const [whole] = await fashionImages(1, 64);
    const truncated = whole.subarray(0, Math.floor(whole.length / 2));
    const accepted = await request(server)
      .post(`${PREDICT}?async=true`)
      .set('content-type', 'image/png')
      .send(truncated)
      .expect(202);
    await eventually(
      async () => (await queue.getJobState(accepted.body.jobId)) === 'failed',
      10_000,
    );
    const job = await queue.getJob(accepted.body.jobId);
    expect(job?.attemptsMade).toBe(1);
    const status = await request(server).get(`/v1/jobs/${accepted.body.jobId}`).expect(200);
    expect(status.body.state).toBe('failed');
    expect(status.body.error.code).toBe('IMAGE_CORRUPT');
    const result = await request(server).get(`/v1/jobs/${accepted.body.jobId}/result`).expect(400);
    expect(result.body.error.code).toBe('IMAGE_CORRUPT');
    // the status gives the error as the result's answer does: no internal fields
    expect(status.body.error).toEqual(result.body.error);
  });

  it('should answer 404 JOB_NOT_FOUND for an unknown job id', async () => {
    const response = await request(service.app.getHttpServer())
      .get('/v1/jobs/no-such-job')
      .expect(404);

    expect(response.body.error).toEqual({
      code: 'JOB_NOT_FOUND',
      message: 'job "no-such-job" does not exist or its result has expired',
    });
  });

  it('should expose queue depth, job durations by kind and method, failures by code and HTTP requests on /metrics', async () => {
    const response = await request(service.app.getHttpServer()).get('/metrics').expect(200);

    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.text).toMatch(/^cnn_lens_queue_jobs\{state="waiting"\} \d+$/m);
    expect(response.text).toMatch(/^cnn_lens_queue_jobs\{state="active"\} \d+$/m);
    expect(response.text).toMatch(
      /^cnn_lens_job_duration_seconds_count\{kind="predict",method="none",outcome="completed"\} [1-9]/m,
    );
    expect(response.text).toMatch(
      /^cnn_lens_job_failures_total\{kind="predict",code="IMAGE_CORRUPT"\} [1-9]/m,
    );
    expect(response.text).toMatch(
      /^cnn_lens_http_requests_total\{method="POST",route="\/v1\/models\/:name\/predict",status="200"\} [1-9]/m,
    );
  });
});

describe('queue mode: retries, timeouts, bounds', () => {
  const prefixes: string[] = [];
  const apps: QueueTestApp[] = [];

  async function start(
    env: NodeJS.ProcessEnv,
    wrap?: (handlers: JobHandlerRegistry) => JobHandlerRegistry,
  ) {
    const prefix = uniquePrefix('queue-bounds');
    prefixes.push(prefix);
    const started = await startQueueApp({ QUEUE_PREFIX: prefix, ...env }, { wrapHandlers: wrap });
    apps.push(started);
    return { service: started, prefix, queue: inspectQueue(prefix) };
  }

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(prefixes.map((prefix) => dropPrefix(prefix)));
  });

  it('should retry a transient failure with exponential backoff and then succeed', async () => {
    const { service, queue } = await start(
      { ROLE: 'all', JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '100' },
      (handlers) => flaky(handlers, 2),
    );
    const [image] = await fashionImages(1);

    const response = await request(service.app.getHttpServer())
      .post(PREDICT)
      .set('content-type', 'image/png')
      .send(image)
      .expect(200);

    const job = await queue.getJob(response.headers['x-cnn-lens-job-id']);
    expect(job?.attemptsMade).toBe(3);
    // backoff 100 ms then 200 ms: the job cannot have finished sooner than 300 ms after it was created
    expect((job?.finishedOn ?? 0) - (job?.timestamp ?? 0)).toBeGreaterThanOrEqual(300);
    await queue.close();
  });

  it('should give up after JOB_ATTEMPTS transient failures with 500 JOB_ATTEMPTS_EXHAUSTED naming the last error, not a 503 to retry', async () => {
    const { service, queue } = await start(
      { ROLE: 'all', JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '10' },
      (handlers) => flaky(handlers, 5),
    );
    const [image] = await fashionImages(1);
    const server = service.app.getHttpServer();

    const response = await request(server)
      .post(PREDICT)
      .set('content-type', 'image/png')
      .send(image)
      .expect(500);

    const jobId = response.body.error.details.jobId as string;
    const lastMessage =
      'the job queue is unavailable: Redis did not answer "test" (injected failure 2); retry shortly';
    expect(response.headers['retry-after']).toBeUndefined();
    expect(response.body.error).toEqual({
      code: 'JOB_ATTEMPTS_EXHAUSTED',
      message: `job "${jobId}" failed at each of its 2 attempts (JOB_ATTEMPTS); the last one with REDIS_UNAVAILABLE: ${lastMessage}; the job will not run again: send the request again`,
      details: {
        jobId,
        attempts: 2,
        lastError: { code: 'REDIS_UNAVAILABLE', message: lastMessage },
      },
    });
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(2);
    const result = await request(server).get(`/v1/jobs/${jobId}/result`).expect(500);
    expect(result.body.error.code).toBe('JOB_ATTEMPTS_EXHAUSTED');
    const status = await request(server).get(`/v1/jobs/${jobId}`).expect(200);
    expect(status.body.error).toMatchObject({ code: 'JOB_ATTEMPTS_EXHAUSTED' });
    expect(Object.keys(status.body.error).sort()).toEqual(['code', 'details', 'message']);
    await queue.close();
  });

  it('should fail an answer over MAX_RESPONSE_BYTES at once with 413 RESPONSE_TOO_LARGE, storing nothing and never retrying', async () => {
    const { service, queue, prefix } = await start({
      ROLE: 'all',
      MAX_RESPONSE_BYTES: '2048',
      JOB_ATTEMPTS: '3',
    });
    const [image] = await fashionImages(1);
    const server = service.app.getHttpServer();

    const refused = await request(server)
      .post('/v1/explain?output=tensor&format=npy&async=true')
      .set('content-type', 'image/png')
      .send(image)
      .expect(202);
    const jobId = refused.body.jobId as string;
    await eventually(async () => (await queue.getJobState(jobId)) === 'failed', 10_000);

    const result = await request(server).get(`/v1/jobs/${jobId}/result`).expect(413);
    expect(result.body.error.code).toBe('RESPONSE_TOO_LARGE');
    expect(result.body.error.message).toContain('(MAX_RESPONSE_BYTES)');
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(1);
    const redis = new Redis(TEST_REDIS_URL);
    expect(await redis.keys(`${prefix}:cnn-lens-jobs:result:${jobId}*`)).toEqual([]);
    redis.disconnect();
    await request(server)
      .post('/v1/explain?output=tensor&format=npy&resolution=layer')
      .set('content-type', 'image/png')
      .send(image)
      .expect(200);
    await queue.close();
  });

  it('should answer 504 JOB_TIMEOUT with the job id after REQUEST_TIMEOUT_MS, and keep the result for later', async () => {
    const { service, queue } = await start({ ROLE: 'all', REQUEST_TIMEOUT_MS: '200' }, (handlers) =>
      delayHandlers(handlers, () => 1000),
    );
    const [image] = await fashionImages(1);
    const server = service.app.getHttpServer();

    const started = Date.now();
    const response = await request(server)
      .post(PREDICT)
      .set('content-type', 'image/png')
      .send(image)
      .expect(504);

    expect(Date.now() - started).toBeLessThan(900);
    expect(response.body.error.code).toBe('JOB_TIMEOUT');
    const jobId = response.body.error.details.jobId as string;
    expect(response.body.error.message).toContain(`GET /v1/jobs/${jobId}/result`);
    expect(response.headers).toMatchObject({
      location: `/v1/jobs/${jobId}`,
      'x-cnn-lens-job-id': jobId,
    });
    await eventually(async () => (await queue.getJobState(jobId)) === 'completed', 5000);
    await request(server).get(`/v1/jobs/${jobId}/result`).expect(200);
    await queue.close();
  });

  it('should refuse past QUEUE_MAX_DEPTH with 429 QUEUE_FULL and Retry-After', async () => {
    const { service, queue } = await start({ ROLE: 'api', QUEUE_MAX_DEPTH: '2' });
    const [image] = await fashionImages(1);
    const server = service.app.getHttpServer();

    await request(server)
      .post(`${PREDICT}?async=true`)
      .set('content-type', 'image/png')
      .send(image)
      .expect(202);
    await request(server)
      .post(`${PREDICT}?async=true`)
      .set('content-type', 'image/png')
      .send(image)
      .expect(202);
    const refused = await request(server)
      .post(`${PREDICT}?async=true`)
      .set('content-type', 'image/png')
      .send(image)
      .expect(429);

    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.body.error.code).toBe('QUEUE_FULL');
    expect(refused.body.error.message).toBe(
      'the job queue is full: 2 jobs waiting, at most 2 (QUEUE_MAX_DEPTH); retry after 2 s',
    );
    await queue.close();
  });

  it('should remove a waiting job when it is cancelled, with its image', async () => {
    const { service, queue, prefix } = await start({ ROLE: 'api' });
    const [image] = await fashionImages(1);
    const jobs = service.process.services.jobs;
    const keys = new QueueKeys(prefix);

    const jobId = await jobs.submit('predict', 'fashion-mnist', [image], { top_k: 1 });
    const redis = new Redis(TEST_REDIS_URL);
    expect(await redis.exists(keys.image(jobId, 0), keys.request(jobId))).toBe(2);
    await jobs.cancel(jobId);

    expect(await queue.getJob(jobId)).toBeUndefined();
    expect(await redis.exists(keys.image(jobId, 0), keys.request(jobId))).toBe(0);
    redis.disconnect();
    await expect(jobs.status(jobId)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await queue.close();
  });

  it('should leave a finished job as it is when its cancel comes late, so its result is still served', async () => {
    const { service, queue } = await start({ ROLE: 'all' });
    const [image] = await fashionImages(1);
    const jobs = service.process.services.jobs;
    const server = service.app.getHttpServer();

    const jobId = await jobs.submit('predict', 'fashion-mnist', [image], { top_k: 1 });
    await jobs.wait(jobId, 10_000);
    await jobs.cancel(jobId);

    expect(await queue.getJobState(jobId)).toBe('completed');
    await request(server).get(`/v1/jobs/${jobId}`).expect(200);
    await request(server).get(`/v1/jobs/${jobId}/result`).expect(200);
    await queue.close();
  });

  it('should withdraw the queued job of a synchronous caller that hangs up', async () => {
    const { service, queue } = await start({ ROLE: 'api', REQUEST_TIMEOUT_MS: '20000' });
    const [image] = await fashionImages(1);

    // no worker: the job stays queued until its caller hangs up
    await hangUpAfter(
      request(service.app.getHttpServer())
        .post(PREDICT)
        .set('content-type', 'image/png')
        .send(image),
      300,
    );

    expect(
      await eventually(async () => (await queue.getJobCounts('waiting')).waiting === 0, 2000, 20),
    ).toBe(true);
    expect(await queue.getJobs(['waiting', 'active', 'completed', 'failed'])).toEqual([]);
    await queue.close();
  });

  it('should serve only probes and /metrics in ROLE=worker', async () => {
    const { service, queue } = await start({ ROLE: 'worker' });
    const server = service.app.getHttpServer();

    await request(server).get('/healthz').expect(200);
    // ready once its Redis clients have connected, which may come a moment after the start
    expect(
      await eventually(async () => (await request(server).get('/readyz')).status === 200, 5000),
    ).toBe(true);
    const ready = await request(server).get('/readyz').expect(200);
    expect(ready.body).toMatchObject({ role: 'worker', redis: 'ok' });
    await request(server).get('/metrics').expect(200);
    await request(server).get('/v1/models').expect(404);
    await request(server).post(PREDICT).expect(404);
    await queue.close();
  });
});

async function fashionImagesOfSize(size: number): Promise<Buffer> {
  const [image] = await fashionImages(1, size);
  return image;
}
