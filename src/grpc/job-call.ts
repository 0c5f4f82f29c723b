import { CallEndedError } from '../errors/call-ended.error';
import { JobTimeoutError } from '../errors/job-timeout.error';
import type { JobRunner } from '../jobs/job-runner';
import type { JobAnswer, JobData } from '../jobs/job.types';
import type { Logger } from '../logging/logger';
import type { RpcCall } from './rpc-call';

export interface JobRequest {
  readonly kind: JobData['kind'];
  readonly model: string;
  readonly images: readonly Buffer[];
  readonly options: JobData['options'];
}

export interface JobOutcome {
  readonly jobId: string;
  readonly answer: JobAnswer;
}

/**
 * Runs one job on behalf of a gRPC call: waits at most until the client's
 * deadline (and never past REQUEST_TIMEOUT_MS), and withdraws the job when the
 * call ends first, so a queued job nobody waits for is removed.
 */
export async function runJobForCall(
  jobs: JobRunner,
  call: RpcCall,
  request: JobRequest,
  requestTimeoutMs: number,
  logger: Logger,
): Promise<JobOutcome> {
  const jobId = await jobs.submit(request.kind, request.model, request.images, request.options);
  const withdraw = (): void => {
    jobs.cancel(jobId).catch((error: unknown) => {
      logger.warn(
        { jobId, error: (error as Error).message },
        'could not withdraw the job of an ended call',
      );
    });
  };

  if (call.signal.aborted) {
    withdraw();
    throw new CallEndedError(jobId);
  }
  call.signal.addEventListener('abort', withdraw, { once: true });

  const remaining = call.remainingMs();
  const deadlineFirst = remaining !== undefined && remaining < requestTimeoutMs;
  try {
    // the call's signal stops the wait as soon as the client cancels or its deadline passes
    const answer = await jobs.wait(
      jobId,
      Math.max(1, deadlineFirst ? remaining : requestTimeoutMs),
      call.signal,
    );
    return { jobId, answer };
  } catch (error) {
    if (call.signal.aborted) {
      throw new CallEndedError(jobId);
    }
    if (deadlineFirst && error instanceof JobTimeoutError) {
      withdraw();
      throw new CallEndedError(jobId);
    }
    throw error;
  } finally {
    call.signal.removeEventListener('abort', withdraw);
  }
}
