import { DomainError } from '../errors/domain-error';
import { JobCancelledError } from '../errors/job-cancelled.error';
import { JobInputExpiredError } from '../errors/job-input-expired.error';
import { JobLockLostError } from '../errors/job-lock-lost.error';
import { ResponseTooLargeError } from '../errors/response-too-large.error';
import { UnknownJobKindError } from '../errors/unknown-job-kind.error';
import type { Logger } from '../logging/logger';
import { type JobContext, MAX_ANSWER_BYTES_OPTION } from './job-handler';
import type { JobHandlerRegistry } from './job-handler.registry';
import { isTransient } from './job-retry.policy';
import type { JobStore } from './job.store';
import type { JobAnswer, JobData, JobKind } from './job.types';

/** One run of one job, as either runner hands it over. */
export interface JobAttempt {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly model: string;
  /** 1 for the first run. */
  readonly attempt: number;
  /** The queue lock token of this run; '' in-process, where there is no lock. */
  readonly fence: string;
  progress(fraction: number): Promise<void>;
}

/** 'answered': this run wrote the answer; 'answered-before': an earlier run had, and the handler was not run again. */
export type AttemptOutcome = 'answered' | 'answered-before';

/** Bounds every answer, whichever transport carries it. */
export interface ExecutorLimits {
  /** MAX_RESPONSE_BYTES: larger answers fail with RESPONSE_TOO_LARGE before they are stored. */
  readonly maxResponseBytes: number;
  /** Progress reported before a run is this old is not written (default PROGRESS_QUIET_MS). */
  readonly progressQuietMs?: number;
}

/**
 * A job's progress is written once it has run this long: in queue mode every
 * write is a Redis round trip, and a job of a few milliseconds, which no one
 * could watch, would spend more on its stage reports than on its work. Such
 * a job goes from 0 to done.
 */
const PROGRESS_QUIET_MS = 250;

/** How often a running job looks at its cancel flag. */
const CANCEL_POLL_MS = 500;

interface AnswerLimit {
  readonly bytes: number;
  /** The setting that imposes it, named in the error. */
  readonly setting: string;
}

/** Where failures are counted: cnn_lens_job_failures_total. */
export interface FailureCounter {
  count(kind: JobKind, code: string): void;
}

/**
 * The one code path of a job, the same in-process and in a queue worker:
 * skip a job whose answer is already stored, refuse a cancelled one, read the
 * request back from the store, run the handler, refuse an answer over
 * MAX_RESPONSE_BYTES, commit the answer once. Every failure is counted and
 * logged here, whoever retries it.
 */
export class JobExecutor {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly store: JobStore,
    private readonly failures: FailureCounter,
    private readonly logger: Logger,
    private readonly limits: ExecutorLimits,
  ) {}

  async run(attempt: JobAttempt): Promise<AttemptOutcome> {
    const started = performance.now();
    const fields = {
      jobId: attempt.jobId,
      kind: attempt.kind,
      model: attempt.model,
      attempt: attempt.attempt,
    };

    try {
      const outcome = await this.attempt(attempt, fields);
      this.logger.info(
        { ...fields, outcome, ms: Math.round(performance.now() - started) },
        'job completed',
      );
      return outcome;
    } catch (error) {
      this.report(error, attempt.kind, fields);
      throw error;
    }
  }

  private async attempt(
    attempt: JobAttempt,
    fields: Record<string, unknown>,
  ): Promise<AttemptOutcome> {
    const { jobId } = attempt;
    // three reads at once: one round trip to Redis instead of three, checked in this order
    const [answered, cancelled, request] = await Promise.all([
      this.store.hasAnswer(jobId),
      this.store.isCancelled(jobId),
      this.store.request(jobId),
    ]);
    // an earlier run stored the answer and died (or lost the reply) before the job was marked done
    if (answered) {
      return 'answered-before';
    }
    if (cancelled) {
      throw new JobCancelledError(jobId);
    }
    if (request === undefined) {
      throw new JobInputExpiredError(jobId, 'request');
    }
    const handler = this.handlers.get(attempt.kind);
    if (handler === undefined) {
      throw new UnknownJobKindError(attempt.kind);
    }

    const data: JobData = { kind: attempt.kind, model: attempt.model, ...request };
    this.logger.debug({ ...fields, method: data.options.method }, 'job started');
    const limit = this.answerLimit(data);
    const cancel = this.watchCancellation(jobId);
    let answer: JobAnswer;
    try {
      answer = this.bounded(
        await handler.run(data, this.context(attempt, cancel.signal, limit)),
        limit,
      );
    } catch (error) {
      // a run stopped by its cancellation reports the cancellation, not how it was stopped
      throw cancel.signal.aborted ? new JobCancelledError(jobId) : error;
    } finally {
      cancel.stop();
    }

    const committed = await this.store.commitAnswer(jobId, answer, attempt.fence);
    switch (committed) {
      case 'written':
      case 'already-written':
        return 'answered';
      case 'cancelled':
        throw new JobCancelledError(jobId);
      case 'lock-lost':
        throw new JobLockLostError(jobId);
    }
  }

  /**
   * The answer with its bytes, refused when they are over MAX_RESPONSE_BYTES:
   * before this, a 784 MB tensor was sent whole in-process and, in queue
   * mode, broke Redis's 512 MB string limit. A JSON body is encoded here
   * once; the transports and the Redis store send those bytes as they are.
   */
  private bounded(answer: JobAnswer, limit: AnswerLimit): JobAnswer {
    const encoded = answer.type === 'binary' ? answer : withEncodedBody(answer);
    const bytes = encoded.type === 'binary' ? encoded.data.length : (encoded.encoded?.length ?? 0);

    if (bytes > limit.bytes) {
      throw new ResponseTooLargeError(bytes, limit.bytes, limit.setting);
    }
    return encoded;
  }

  /** MAX_RESPONSE_BYTES, or the request's own lower bound (a gRPC call's message size). */
  private answerLimit(data: JobData): AnswerLimit {
    const asked = data.options[MAX_ANSWER_BYTES_OPTION];
    return typeof asked === 'number' && asked > 0 && asked < this.limits.maxResponseBytes
      ? { bytes: asked, setting: 'GRPC_MAX_MESSAGE_BYTES' }
      : { bytes: this.limits.maxResponseBytes, setting: 'MAX_RESPONSE_BYTES' };
  }

  /**
   * Polls the job's cancel flag while it runs (every CANCEL_POLL_MS) and
   * aborts the run's signal when it is set; a poll that fails (Redis away)
   * is skipped, the commit refuses a cancelled answer anyway.
   */
  private watchCancellation(jobId: string): { signal: AbortSignal; stop(): void } {
    const controller = new AbortController();
    const timer = setInterval(() => {
      this.store.isCancelled(jobId).then(
        (cancelled) => {
          if (cancelled) {
            controller.abort(new JobCancelledError(jobId));
          }
        },
        () => undefined,
      );
    }, CANCEL_POLL_MS);
    timer.unref();
    return { signal: controller.signal, stop: () => clearInterval(timer) };
  }

  private context(attempt: JobAttempt, signal: AbortSignal, limit: AnswerLimit): JobContext {
    const started = performance.now();
    const quietMs = this.limits.progressQuietMs ?? PROGRESS_QUIET_MS;
    return {
      jobId: attempt.jobId,
      signal,
      maxAnswerBytes: limit.bytes,
      image: async (key) => {
        const bytes = await this.store.image(key);
        if (bytes === undefined) {
          throw new JobInputExpiredError(attempt.jobId, key);
        }
        return bytes;
      },
      progress: (fraction) =>
        performance.now() - started < quietMs ? Promise.resolve() : attempt.progress(fraction),
    };
  }

  private report(error: unknown, kind: JobKind, fields: Record<string, unknown>): void {
    const code = error instanceof DomainError ? error.code : 'INTERNAL';
    const retryable = isTransient(error);
    this.failures.count(kind, code);

    const log =
      error instanceof DomainError && error.kind !== 'internal'
        ? this.logger.info.bind(this.logger)
        : this.logger.error.bind(this.logger);
    log({ ...fields, code, retryable, error: (error as Error).message }, 'job failed');
  }
}

/** A JSON answer that carries its UTF-8 bytes; the body stays the object the handler made. */
function withEncodedBody(answer: Extract<JobAnswer, { type: 'json' }>): JobAnswer {
  if (answer.encoded !== undefined) {
    return answer;
  }
  const text = JSON.stringify(answer.body) ?? 'null';
  return { type: 'json', body: answer.body, encoded: Buffer.from(text, 'utf8') };
}
