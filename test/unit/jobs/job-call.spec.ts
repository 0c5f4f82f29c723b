import { CallEndedError } from '../../../src/errors/call-ended.error';
import { runJobForCall } from '../../../src/grpc/job-call';
import type { RpcCall } from '../../../src/grpc/rpc-call';
import type { JobHandler } from '../../../src/jobs/job-handler';
import { inlineJobs } from '../../support/inline-job-runner';
import { silentLogger } from '../../support/silent-logger';

/** An in-process runner whose one slot is held by a job that never ends until released. */
function busyRunner() {
  let release = (): void => undefined;
  const handler: JobHandler = {
    run: () =>
      new Promise((resolve) => {
        release = () => resolve({ type: 'json', body: {} });
      }),
  };
  const { jobs } = inlineJobs(handler, {
    concurrency: 1,
    attempts: 1,
    backoffMs: 1,
    maxDepth: 10,
    maxResponseBytes: 1024,
  });
  return { jobs, release: () => release() };
}

describe('runJobForCall', () => {
  it('should stop waiting as soon as the client cancels, long before REQUEST_TIMEOUT_MS, and withdraw the job', async () => {
    const { jobs, release } = busyRunner();
    const controller = new AbortController();
    const call: RpcCall = { signal: controller.signal, remainingMs: () => undefined };
    const request = { kind: 'predict' as const, model: 'm', images: [], options: {} };

    const started = Date.now();
    const running = runJobForCall(jobs, call, request, 10_000, silentLogger).catch(
      (e: unknown) => e,
    );
    setTimeout(() => controller.abort(), 50);
    const error = await running;

    expect(error).toBeInstanceOf(CallEndedError);
    expect(Date.now() - started).toBeLessThan(1000);
    const jobId = (error as CallEndedError).jobId;
    release();
    // the job was running: it ends, and its answer is refused
    await expect(jobs.wait(jobId, 1000)).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
  });
});
