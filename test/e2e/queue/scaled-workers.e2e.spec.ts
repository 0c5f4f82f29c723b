/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import request from 'supertest';

import { fashionImages, ReferenceClassifier } from '../../support/queue/fashion-images';
import { instrumentKeys } from '../../support/queue/instrumented.handlers';
import {
  enqueueActivePredict,
  enqueuePredict,
  PREDICT,
} from '../../support/queue/predict-requests';
import { queueFixture } from '../../support/queue/queue-fixture';
import {
  eventually,
  type QueueTestApp,
  startQueueApp,
  TEST_REDIS_URL,
} from '../../support/queue/queue-test.env';
import { killAllServices, type ServiceProcess } from '../../support/queue/service.process';
import { startStallAwareWorker } from '../../support/queue/stall-aware-worker';

/**
 * The API in this process (ROLE=api) and two workers as separate Node
 * processes (ROLE=worker, src/main.ts's startProcess), on one Redis prefix.
 * Handlers are instrumented: every start and finish of a job is counted in
 * Redis, so a double execution would show.
 */
describe('API and two worker processes on one Redis', () => {
  const { prefix, redis, queue, close: closeFixture } = queueFixture('scaled');
  const keys = instrumentKeys(prefix);
  let api: QueueTestApp;
  let workers: ServiceProcess[];
  let reference: ReferenceClassifier;
  let images: Buffer[];

  const startWorker = (name: string): Promise<ServiceProcess> =>
    startStallAwareWorker({ redisUrl: TEST_REDIS_URL, prefix, name, delayMs: 150 });

  beforeAll(async () => {
    [workers, api, reference, images] = await Promise.all([
      Promise.all([startWorker('worker-a'), startWorker('worker-b')]),
      startQueueApp({ ROLE: 'api', QUEUE_PREFIX: prefix, REQUEST_TIMEOUT_MS: '30000' }),
      ReferenceClassifier.load(),
      fashionImages(40),
    ]);
  }, 120_000);

  afterAll(async () => {
    killAllServices();
    await api?.close();
    await closeFixture();
    await reference?.release();
  });

  async function counts(key: string): Promise<Record<string, string>> {
    return redis.hgetall(key);
  }

  /** 'completed' events per job id, read from BullMQ's own event stream. */
  async function completedEvents(): Promise<Map<string, number>> {
    const entries = await redis.xrange(`${prefix}:cnn-lens-jobs:events`, '-', '+');
    const completions = new Map<string, number>();
    for (const [, fields] of entries) {
      const event = Object.fromEntries(
        fields.flatMap((_, i) => (i % 2 === 0 ? [[fields[i], fields[i + 1]]] : [])),
      ) as Record<string, string>;
      if (event.event === 'completed') {
        completions.set(event.jobId, (completions.get(event.jobId) ?? 0) + 1);
      }
    }
    return completions;
  }

  it('should answer 40 concurrent requests correctly, spread over both workers, each job run once', async () => {
    const server = api.app.getHttpServer();

    const responses = await Promise.all(
      images.map((image) =>
        request(server).post(`${PREDICT}?top_k=1`).set('content-type', 'image/png').send(image),
      ),
    );

    for (const [index, response] of responses.entries()) {
      expect(response.status).toBe(200);
      const expected = await reference.top1(images[index]);
      expect(response.body.predictions[0].top[0].index).toBe(expected.index);
      expect(response.body.predictions[0].top[0].probability).toBeCloseTo(expected.probability, 4);
    }
    const jobIds = responses.map((response) => response.headers['x-cnn-lens-job-id']);
    const processedBy = await Promise.all(
      jobIds.map(async (id) => (await queue.getJob(id))?.processedBy),
    );
    const perWorker = {
      a: processedBy.filter((w) => w === 'worker-a').length,
      b: processedBy.filter((w) => w === 'worker-b').length,
    };
    expect(perWorker.a + perWorker.b).toBe(40);
    expect(perWorker.a).toBeGreaterThan(0);
    expect(perWorker.b).toBeGreaterThan(0);
    const finished = await counts(keys.finishedKey);
    expect(jobIds.map((id) => finished[id])).toEqual(jobIds.map(() => '1'));
    const completions = await completedEvents();
    expect(jobIds.map((id) => completions.get(id))).toEqual(jobIds.map(() => 1));
  });

  it('should finish every job exactly once when a worker is killed with SIGKILL in the middle of one', async () => {
    const server = api.app.getHttpServer();
    const [victim, survivor] = workers as [ServiceProcess, ServiceProcess];

    const jobIds = await Promise.all(
      images.slice(0, 20).map((image) => enqueuePredict(server, image)),
    );
    const busy = await eventually(
      async () =>
        (await queue.getActive()).some(
          (job) => job.processedBy === 'worker-a' && jobIds.includes(job.id ?? ''),
        ),
      10_000,
      10,
    );
    expect(busy).toBe(true);
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    // read after the kill: the job it held stays active under its name until the lock expires
    const interrupted = (await queue.getActive()).find((job) => job.processedBy === 'worker-a')?.id;
    expect(interrupted).toBeDefined();

    const allDone = await eventually(
      async () =>
        (await Promise.all(jobIds.map((id) => queue.getJobState(id)))).every(
          (state) => state === 'completed',
        ),
      30_000,
      100,
    );
    expect(allDone).toBe(true);
    const [started, finished] = await Promise.all([
      counts(keys.startedKey),
      counts(keys.finishedKey),
    ]);
    const completions = await completedEvents();
    expect(jobIds.map((id) => completions.get(id))).toEqual(jobIds.map(() => 1));
    // BullMQ runs a job at least once and completes it exactly once: only the interrupted job
    // may run twice. Its first run may have reached the end of the handler before the kill, and
    // even committed its answer before BullMQ recorded the completion: the run that takes it over
    // then finds the answer and completes the job without starting the handler again.
    const others = jobIds.filter((id) => id !== interrupted);
    expect(others.map((id) => [started[id], finished[id]])).toEqual(others.map(() => ['1', '1']));
    expect(['1', '2']).toContain(started[interrupted!]);
    expect(['1', '2']).toContain(finished[interrupted!]);
    expect(Number(finished[interrupted!])).toBeLessThanOrEqual(Number(started[interrupted!]));
    expect((await queue.getJob(interrupted!))?.processedBy).toBe('worker-b');
    for (const [index, id] of jobIds.entries()) {
      const result = await request(server).get(`/v1/jobs/${id}/result`).expect(200);
      expect(result.body.predictions[0].top[0].index).toBe(
        (await reference.top1(images[index])).index,
      );
    }
    expect(survivor.child.exitCode).toBeNull();
  });

  it('should drain the job in flight on SIGTERM before the worker exits', async () => {
    const server = api.app.getHttpServer();
    const worker = workers[1];

    const jobId = await enqueueActivePredict(server, queue, images[0]);
    worker.child.kill('SIGTERM');

    const code = await worker.exited;
    expect({
      code,
      log: code === 0 ? '' : worker.output.slice(-8).join('\n').slice(-3000),
    }).toEqual({ code: 0, log: '' });
    expect(await queue.getJobState(jobId)).toBe('completed');
    expect((await counts(keys.finishedKey))[jobId]).toBe('1');
    expect(worker.output.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  });
});
