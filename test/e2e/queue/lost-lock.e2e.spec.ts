/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import request from 'supertest';

import { QueueKeys } from '../../../src/jobs/queue/queue.keys';
import { fashionImages, ReferenceClassifier } from '../../support/queue/fashion-images';
import { instrumentKeys } from '../../support/queue/instrumented.handlers';
import { enqueueActivePredict, waitUntilActive } from '../../support/queue/predict-requests';
import { queueFixture } from '../../support/queue/queue-fixture';
import {
  eventually,
  type QueueTestApp,
  startQueueApp,
  TEST_REDIS_URL,
} from '../../support/queue/queue-test.env';
import { killAllServices, type ServiceProcess } from '../../support/queue/service.process';
import { startStallAwareWorker } from '../../support/queue/stall-aware-worker';

/** 'completed' events of a job in BullMQ's own event stream. */
async function completions(
  fixture: ReturnType<typeof queueFixture>,
  jobId: string,
): Promise<number> {
  const entries = await fixture.redis.xrange(`${fixture.prefix}:cnn-lens-jobs:events`, '-', '+');
  return entries.filter(([, fields]) => {
    const event = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) {
      event.set(fields[i] ?? '', fields[i + 1] ?? '');
    }
    return event.get('event') === 'completed' && event.get('jobId') === jobId;
  }).length;
}

/**
 * Worker processes whose jobs are taken over within 3 s (2 s lock, stall
 * check every second); one of them is frozen with SIGSTOP past its lock,
 * alive but no longer the owner of its job, and let go on with SIGCONT.
 */
describe('a worker that is alive but lost its lock', () => {
  const fixture = queueFixture('lost-lock');
  const keys = instrumentKeys(fixture.prefix);
  let api: QueueTestApp;
  let workers: ServiceProcess[];
  let reference: ReferenceClassifier;
  let image: Buffer;

  beforeAll(async () => {
    const start = (name: string) =>
      startStallAwareWorker({
        redisUrl: TEST_REDIS_URL,
        prefix: fixture.prefix,
        name,
        // long enough that a loaded machine cannot finish the job before the test freezes its worker
        delayMs: 5000,
      });
    [workers, api, reference, [image]] = await Promise.all([
      Promise.all([start('worker-a'), start('worker-b')]),
      startQueueApp({ ROLE: 'api', QUEUE_PREFIX: fixture.prefix }),
      ReferenceClassifier.load(),
      fashionImages(1),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const worker of workers ?? []) {
      worker.child.kill('SIGCONT');
    }
    killAllServices();
    await api?.close();
    await fixture.close();
    await reference?.release();
  });

  it('should complete the job once, by the run that holds the lock, and refuse the answer of the stale run', async () => {
    const server = api.app.getHttpServer();
    const jobId = await enqueueActivePredict(server, fixture.queue, image);
    const owner = (await fixture.queue.getJob(jobId))?.processedBy;
    const stale = workers.find((_, index) => owner === `worker-${'ab'[index]}`);
    const other = workers.find((worker) => worker !== stale);
    expect(stale).toBeDefined();
    // Active in BullMQ comes before the handler starts (the job's inputs are read first): freeze
    // the worker only once its run has started, or the takeover would be the first run, not a second.
    const started = await eventually(
      async () => (await fixture.redis.hget(keys.startedKey, jobId)) === '1',
      10_000,
      5,
    );
    expect(started).toBe(true);

    stale!.child.kill('SIGSTOP');
    // the other worker finds the job without a lock and runs it again
    const takenOver = await eventually(
      async () => (await fixture.redis.hget(keys.startedKey, jobId)) === '2',
      20_000,
      50,
    );
    expect(takenOver).toBe(true);
    stale!.child.kill('SIGCONT');

    const done = await eventually(
      async () => (await fixture.queue.getJobState(jobId)) === 'completed',
      20_000,
      50,
    );
    expect(done).toBe(true);
    const refused = await eventually(
      () => Promise.resolve(stale!.output.some((line) => line.includes('"code":"JOB_LOCK_LOST"'))),
      5000,
      50,
    );
    expect(refused).toBe(true);
    expect(await completions(fixture, jobId)).toBe(1);
    expect((await fixture.queue.getJob(jobId))?.processedBy).toBe(
      owner === 'worker-a' ? 'worker-b' : 'worker-a',
    );
    const result = await request(server).get(`/v1/jobs/${jobId}/result`).expect(200);
    expect(result.body.predictions[0].top[0].index).toBe((await reference.top1(image)).index);
    expect(stale!.child.exitCode).toBeNull();
    expect(other!.child.exitCode).toBeNull();
  });
});

/**
 * A job whose worker dies more often than JOB_MAX_STALLED_COUNT allows is
 * failed by the next worker that takes it (BullMQ 6 marks it and fails it
 * then); that worker deletes its stored request like any other failure's.
 */
describe('a job failed by the stall check', () => {
  const fixture = queueFixture('stall-failed');
  let victim: ServiceProcess;
  let survivor: QueueTestApp | undefined;

  beforeAll(async () => {
    victim = await startStallAwareWorker({
      redisUrl: TEST_REDIS_URL,
      prefix: fixture.prefix,
      name: 'victim',
      delayMs: 5000,
    });
  }, 120_000);

  afterAll(async () => {
    killAllServices();
    await survivor?.close();
    await fixture.close();
  });

  it('should fail with JOB_STALLED and leave no stored request behind', async () => {
    const [image] = await fashionImages(1);
    const api = await startQueueApp({ ROLE: 'api', QUEUE_PREFIX: fixture.prefix });
    const jobId = await api.process.services.jobs.submit('predict', 'fashion-mnist', [image], {
      top_k: 1,
    });
    const stored = new QueueKeys(fixture.prefix);
    await waitUntilActive(fixture.queue, jobId, 10_000);
    victim.child.kill('SIGKILL');
    await victim.exited;

    survivor = await startQueueApp({
      ROLE: 'worker',
      QUEUE_PREFIX: fixture.prefix,
      JOB_LOCK_DURATION_MS: '2000',
      JOB_STALLED_INTERVAL_MS: '1000',
      JOB_MAX_STALLED_COUNT: '0',
    });
    const failed = await eventually(
      async () => (await fixture.queue.getJobState(jobId)) === 'failed',
      15_000,
      100,
    );

    expect(failed).toBe(true);
    await expect(api.process.services.jobs.status(jobId)).resolves.toMatchObject({
      state: 'failed',
      error: { code: 'JOB_STALLED' },
    });
    expect(
      await eventually(
        async () =>
          (await fixture.redis.exists(stored.request(jobId), stored.image(jobId, 0))) === 0,
        2000,
        50,
      ),
    ).toBe(true);
    await api.close();
  });
});
