import { CallEndedError } from '../../../src/errors/call-ended.error';
import { grpcAnswerLimit, jobCallLimits, runJobForCall } from '../../../src/grpc/job-call';
import type { RpcCall } from '../../../src/grpc/rpc-call';
import type { JobContext, JobHandler } from '../../../src/jobs/job-handler';
import type { JobData } from '../../../src/jobs/job.types';
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
    const limits = { requestTimeoutMs: 10_000, maxAnswerBytes: 1024 };
    const running = runJobForCall(jobs, call, request, limits, silentLogger).catch(
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

  it('should ask every job for an answer that fits in a reply: option max_answer_bytes, seen by the handler as maxAnswerBytes', async () => {
    const seen: { options: JobData['options']; maxAnswerBytes: number }[] = [];
    const handler: JobHandler = {
      run: (data: JobData, context: JobContext) => {
        seen.push({ options: data.options, maxAnswerBytes: context.maxAnswerBytes });
        return Promise.resolve({ type: 'json', body: {} });
      },
    };
    const { jobs } = inlineJobs(handler, { maxResponseBytes: 100 * 1024 * 1024 });
    const call: RpcCall = { signal: new AbortController().signal, remainingMs: () => undefined };
    const request = { kind: 'predict' as const, model: 'm', images: [], options: { top_k: 3 } };
    const limits = jobCallLimits({ requestTimeoutMs: 5000, grpcMaxMessageBytes: 8 * 1024 * 1024 });

    await runJobForCall(jobs, call, request, limits, silentLogger);

    const expected = 8 * 1024 * 1024 - 64 * 1024;
    expect(seen).toEqual([
      { options: { top_k: 3, max_answer_bytes: expected }, maxAnswerBytes: expected },
    ]);
  });
});

describe('grpcAnswerLimit', () => {
  it('should keep 64 KiB of GRPC_MAX_MESSAGE_BYTES for the reply around the answer', () => {
    expect(grpcAnswerLimit(100_663_296)).toBe(100_663_296 - 65_536);
  });

  it('should keep a quarter of a limit too small for 64 KiB of room', () => {
    expect(grpcAnswerLimit(4096)).toBe(3072);
  });

  it('should share the reply between the jobs of a call that runs several', () => {
    expect(jobCallLimits({ requestTimeoutMs: 1, grpcMaxMessageBytes: 4096 }, 3)).toEqual({
      requestTimeoutMs: 1,
      maxAnswerBytes: 1024,
    });
  });
});
