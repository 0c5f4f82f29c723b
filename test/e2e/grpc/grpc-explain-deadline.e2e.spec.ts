/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { status } from '@grpc/grpc-js';

import { QueueKeys } from '../../../src/jobs/queue/queue.keys';
import { rejection } from '../../support/grpc-rejection';
import { fashionImages } from '../../support/queue/fashion-images';
import { type GrpcTestServer, startGrpcTestServer } from '../../support/queue/grpc-test-server';
import {
  delayHandlers,
  instrumentHandlers,
  instrumentKeys,
} from '../../support/queue/instrumented.handlers';
import { queueFixture } from '../../support/queue/queue-fixture';
import {
  eventually,
  type QueueTestApp,
  sleep,
  startQueueApp,
} from '../../support/queue/queue-test.env';

/**
 * A gRPC call that ends before its job is reached (its deadline passes, or
 * the client cancels it) withdraws the job: the README's "A call whose
 * deadline passes, or that the client cancels, stops waiting at once and
 * withdraws its job". One worker (WORKER_CONCURRENCY=1) is kept busy by a
 * slow job, so the call's jobs wait in the queue while the call ends.
 */
describe('gRPC Explain calls that end while their jobs wait in the queue', () => {
  const { prefix, redis, queue, close: closeFixture } = queueFixture('grpc-withdraw');
  const keys = instrumentKeys(prefix);
  const queueKeys = new QueueKeys(prefix);
  let service: QueueTestApp;
  let grpc: GrpcTestServer;
  let images: Buffer[];
  let delayMs = 0;

  beforeAll(async () => {
    service = await startQueueApp(
      {
        ROLE: 'all',
        QUEUE_PREFIX: prefix,
        REQUEST_TIMEOUT_MS: '20000',
        WORKER_CONCURRENCY: '1',
      },
      {
        wrapHandlers: (handlers) =>
          instrumentHandlers(
            delayHandlers(handlers, () => delayMs),
            { redis, delayMs: 0, ...keys },
          ),
      },
    );
    grpc = await startGrpcTestServer(service.process.services);
    images = await fashionImages(2);
  });

  afterEach(() => {
    delayMs = 0;
  });

  afterAll(async () => {
    await grpc.close();
    await service.close();
    await closeFixture();
  });

  /** A slow predict job that the single worker has started: the worker is busy until it ends. */
  async function occupyWorker(): Promise<string> {
    delayMs = 1500;
    const blocker = await service.process.services.jobs.submit(
      'predict',
      'fashion-mnist',
      [images[0]],
      { top_k: 1 },
    );
    expect(
      await eventually(async () => (await redis.hexists(keys.startedKey, blocker)) === 1, 5000, 5),
    ).toBe(true);
    return blocker;
  }

  /** The ids of the jobs of a kind waiting in the queue, once there are `count` of them. */
  async function waitingJobs(kind: string, count: number): Promise<string[]> {
    let ids: string[] = [];
    await eventually(
      async () => {
        const waiting = await queue.getJobs(['waiting', 'prioritized']);
        ids = waiting.filter((job) => job.name === kind).map((job) => job.id ?? '');
        return ids.length === count;
      },
      2000,
      5,
    );
    return ids;
  }

  /** Gone from the queue, with the images and options it was stored with. */
  async function removed(jobId: string): Promise<boolean> {
    const job = await queue.getJob(jobId);
    const stored = await redis.exists(queueKeys.request(jobId), queueKeys.image(jobId, 0));
    return job === undefined && stored === 0;
  }

  /**
   * Lets the blocker finish, then gives the worker time to take anything
   * still queued (with no delay now), and returns the ids of every job a
   * handler started.
   */
  async function startedAfterBlocker(blocker: string): Promise<string[]> {
    await service.process.services.jobs.wait(blocker, 10_000);
    delayMs = 0;
    await sleep(300);
    return Object.keys(await redis.hgetall(keys.startedKey));
  }

  it('should answer Explain DEADLINE_EXCEEDED for a deadline shorter than the job, and remove its queued jobs, which never run', async () => {
    const blocker = await occupyWorker();
    const startedBefore = Object.keys(await redis.hgetall(keys.startedKey));

    // two images: one explain job each, both queued behind the blocker
    const expired = rejection(grpc.client.call('Explain', { images, method: 'gradcam' }, 400));
    const explainJobs = await waitingJobs('explain', 2);
    const error = await expired;

    expect(explainJobs).toHaveLength(2);
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    for (const jobId of explainJobs) {
      expect(await eventually(() => removed(jobId), 1000, 10)).toBe(true);
    }
    // removed while the worker was still busy with the blocker: withdrawn from the queue, not refused after a run
    expect(await queue.getJobState(blocker)).toBe('active');

    const started = await startedAfterBlocker(blocker);
    expect(started.sort()).toEqual(startedBefore.sort());
    for (const jobId of explainJobs) {
      expect(started).not.toContain(jobId);
    }
    expect(await queue.getJobCounts('waiting', 'active', 'delayed')).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
    });
  });

  it('should remove the queued job of an Explain call the client cancels, which never runs', async () => {
    const blocker = await occupyWorker();
    const startedBefore = Object.keys(await redis.hgetall(keys.startedKey));

    // no deadline: only the cancellation can withdraw this job before REQUEST_TIMEOUT_MS
    const call = grpc.client.start('Explain', { images: [images[1]], method: 'gradcam' });
    const outcome = rejection(call.result);
    const [explainJob] = await waitingJobs('explain', 1);
    expect(explainJob).toBeDefined();
    expect(await removed(explainJob)).toBe(false);

    call.cancel();
    const error = await outcome;

    expect(error.code).toBe(status.CANCELLED);
    expect(await eventually(() => removed(explainJob), 1000, 10)).toBe(true);
    expect(await queue.getJobState(blocker)).toBe('active');

    const started = await startedAfterBlocker(blocker);
    expect(started.sort()).toEqual(startedBefore.sort());
    expect(started).not.toContain(explainJob);
    expect(await queue.getJobCounts('waiting', 'active', 'delayed')).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
    });
  });
});
