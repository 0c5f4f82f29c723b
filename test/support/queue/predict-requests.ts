import type { Queue } from 'bullmq';
import request from 'supertest';

import { eventually } from './queue-test.env';

/** The endpoint of the bundled model that the queue tests send their images to. */
export const PREDICT = '/v1/models/fashion-mnist/predict';

/** What supertest takes: an HTTP server, or the base URL of a service in another process. */
export type HttpTarget = Parameters<typeof request>[0];

/** Posts a PNG for an asynchronous top-1 prediction; resolves with the job id of the 202 answer. */
export async function enqueuePredict(target: HttpTarget, image: Buffer): Promise<string> {
  const accepted = await request(target)
    .post(`${PREDICT}?async=true&top_k=1`)
    .set('content-type', 'image/png')
    .send(image)
    .expect(202);

  return accepted.body.jobId as string;
}

/**
 * Waits until a worker runs the job; throws, naming the state it is in,
 * when it is not active within timeoutMs. Polls every 5 ms: a job that
 * runs for a short test delay is active only briefly.
 */
export async function waitUntilActive(
  queue: Queue,
  jobId: string,
  timeoutMs = 5000,
): Promise<void> {
  const active = await eventually(
    async () => (await queue.getJobState(jobId)) === 'active',
    timeoutMs,
    5,
  );

  if (!active) {
    const state = await queue.getJobState(jobId);
    throw new Error(`job ${jobId} was not active within ${timeoutMs} ms: it is ${state}`);
  }
}

/** Enqueues an asynchronous prediction and resolves with its job id once a worker runs it. */
export async function enqueueActivePredict(
  target: HttpTarget,
  queue: Queue,
  image: Buffer,
): Promise<string> {
  const jobId = await enqueuePredict(target, image);

  await waitUntilActive(queue, jobId);

  return jobId;
}
