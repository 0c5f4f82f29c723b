import { CallEndedError } from '../errors/call-ended.error';
import { JobTimeoutError } from '../errors/job-timeout.error';
import { MAX_ANSWER_BYTES_OPTION } from '../jobs/job-handler';
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

/** What bounds a job run for a gRPC call. */
export interface JobCallLimits {
  /** REQUEST_TIMEOUT_MS: the longest wait, whatever the client's deadline. */
  readonly requestTimeoutMs: number;
  /** The largest answer that fits in one reply (answerLimitOf). */
  readonly maxAnswerBytes: number;
}

/** Room kept in a reply for what surrounds the answer's bytes: field tags, metadata, job id. */
const ENVELOPE_MARGIN_BYTES = 64 * 1024;

/**
 * The largest answer a job may give for a gRPC call: GRPC_MAX_MESSAGE_BYTES
 * less room for the reply around it (64 KiB, or a quarter of a tiny limit).
 * The job is refused by its worker as soon as its answer is known to be
 * larger, before it is stored; the reply's own size is checked again when
 * it is sent.
 */
export function grpcAnswerLimit(grpcMaxMessageBytes: number): number {
  return grpcMaxMessageBytes - Math.min(ENVELOPE_MARGIN_BYTES, Math.floor(grpcMaxMessageBytes / 4));
}

/**
 * The limits of each job a gRPC call runs, from the configuration; a call
 * whose reply carries the answers of `jobs` jobs (Explain, one job per
 * image) gives each an equal share of the reply.
 */
export function jobCallLimits(
  config: { readonly requestTimeoutMs: number; readonly grpcMaxMessageBytes: number },
  jobs = 1,
): JobCallLimits {
  return {
    requestTimeoutMs: config.requestTimeoutMs,
    maxAnswerBytes: Math.floor(grpcAnswerLimit(config.grpcMaxMessageBytes) / Math.max(1, jobs)),
  };
}

/**
 * Runs one job on behalf of a gRPC call: asks for answers that fit in a
 * reply (job option max_answer_bytes), waits at most until the client's
 * deadline (and never past REQUEST_TIMEOUT_MS), and withdraws the job when
 * the call ends first, so a queued job nobody waits for is removed.
 */
export async function runJobForCall(
  jobs: JobRunner,
  call: RpcCall,
  request: JobRequest,
  limits: JobCallLimits,
  logger: Logger,
): Promise<JobOutcome> {
  const { requestTimeoutMs } = limits;
  const options = { ...request.options, [MAX_ANSWER_BYTES_OPTION]: limits.maxAnswerBytes };
  const jobId = await jobs.submit(request.kind, request.model, request.images, options);
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
