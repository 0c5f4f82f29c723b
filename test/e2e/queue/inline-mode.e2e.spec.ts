/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import request from 'supertest';

import { fashionImages } from '../../support/queue/fashion-images';
import { delayHandlers } from '../../support/queue/instrumented.handlers';
import { PREDICT } from '../../support/queue/predict-requests';
import {
  eventually,
  hangUpAfter,
  type InlineTestApp,
  sleep,
  startInlineApp,
} from '../../support/queue/queue-test.env';

/** The embedded mode (no REDIS_URL): the same bounds, metrics and cancellation as queue mode. */
describe('in-process jobs (no REDIS_URL)', () => {
  const apps: InlineTestApp[] = [];
  let image: Buffer;
  let delayMs = 0;
  let runs = 0;

  async function start(env: NodeJS.ProcessEnv = {}): Promise<InlineTestApp> {
    const started = await startInlineApp(env, {
      wrapHandlers: (handlers) =>
        delayHandlers(handlers, () => {
          runs += 1;
          return delayMs;
        }),
    });
    apps.push(started);
    return started;
  }

  beforeAll(async () => {
    [image] = await fashionImages(1);
  });

  afterEach(() => {
    delayMs = 0;
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  const post = (app: InlineTestApp, query = '') =>
    request(app.app.getHttpServer())
      .post(`${PREDICT}${query}`)
      .set('content-type', 'image/png')
      .send(image);

  it('should refuse past QUEUE_MAX_DEPTH with 429 QUEUE_FULL and Retry-After, and run the accepted jobs', async () => {
    const app = await start({
      QUEUE_MAX_DEPTH: '2',
      WORKER_CONCURRENCY: '1',
      WORKER_NAME: 'inline-worker',
    });
    // long enough that the first job still runs while the test posts and reads /metrics, even
    // on a loaded machine
    delayMs = 2000;

    const accepted: string[] = [];
    for (let i = 0; i < 3; i++) {
      accepted.push((await post(app, '?async=true').expect(202)).body.jobId as string);
    }
    const refused = await post(app, '?async=true').expect(429);

    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.body.error).toEqual({
      code: 'QUEUE_FULL',
      message:
        'the job queue is full: 2 jobs waiting, at most 2 (QUEUE_MAX_DEPTH); retry after 2 s',
      details: { depth: 2, limit: 2, retryAfterSeconds: 2 },
    });
    const server = app.app.getHttpServer();
    const metrics = await request(server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^cnn_lens_queue_jobs\{state="waiting"\} 2$/m);
    expect(metrics.text).toMatch(/^cnn_lens_queue_jobs\{state="active"\} 1$/m);
    expect(metrics.text).toMatch(/^cnn_lens_queue_jobs\{state="delayed"\} 0$/m);

    const done = await eventually(
      async () =>
        (await Promise.all(accepted.map((id) => request(server).get(`/v1/jobs/${id}`)))).every(
          (status) => status.body.state === 'completed',
        ),
      20_000,
    );
    expect(done).toBe(true);
    const status = await request(server).get(`/v1/jobs/${accepted[0]}`).expect(200);
    expect(status.body.progress).toBe(1);
    expect(status.body.worker).toBe('inline-worker');
    const after = await request(server).get('/metrics').expect(200);
    expect(after.text).toMatch(/^cnn_lens_queue_jobs\{state="waiting"\} 0$/m);
  });

  it('should fail an answer over MAX_RESPONSE_BYTES at once with 413 RESPONSE_TOO_LARGE', async () => {
    const app = await start({ MAX_RESPONSE_BYTES: '2048' });

    const refused = await request(app.app.getHttpServer())
      .post('/v1/explain?output=tensor&format=npy')
      .set('content-type', 'image/png')
      .send(image)
      .expect(413);

    expect(refused.body.error.code).toBe('RESPONSE_TOO_LARGE');
    // refused from its size before it is computed, or once computed: either way with the limit named
    expect(refused.body.error.message).toMatch(
      /^the answer would take (at least )?\d+ bytes, more than the limit of 2048 bytes \(MAX_RESPONSE_BYTES\)[,;] .*resolution=layer/,
    );
    expect(refused.body.error.details).toMatchObject({
      limit: 2048,
      setting: 'MAX_RESPONSE_BYTES',
    });
    expect(refused.body.error.details.bytes).toBeGreaterThan(2048);
  });

  it('should withdraw the job of a synchronous caller that hangs up: removed while it waits, refused while it runs', async () => {
    const app = await start({ WORKER_CONCURRENCY: '1', REQUEST_TIMEOUT_MS: '20000' });
    const server = app.app.getHttpServer();
    const jobs = app.services.jobs;
    // long enough that the blocker still runs when the hang-up is checked, even on a loaded machine
    delayMs = 3000;
    const runsBefore = runs;
    const blocker = await jobs.submit('predict', 'fashion-mnist', [image], { top_k: 1 });

    // the blocker holds the only slot: the job of the request that hangs up is still waiting
    await hangUpAfter(post(app), 200);
    await sleep(100);
    expect(await jobs.depth()).toEqual({ waiting: 0, active: 1, delayed: 0 });
    await jobs.wait(blocker, 15_000);
    expect(runs - runsBefore).toBe(1);

    // now a request whose job is running when its caller hangs up
    await hangUpAfter(post(app, '?top_k=2'), 300);
    expect(await eventually(async () => (await jobs.depth()).active === 0, 15_000)).toBe(true);
    expect(runs - runsBefore).toBe(2);
    const metrics = await request(server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /^cnn_lens_job_failures_total\{kind="predict",code="JOB_CANCELLED"\} 1$/m,
    );
  });
});
