import type { FastifyReply } from 'fastify';

import { JobTimeoutError } from '../errors/job-timeout.error';
import type { JobRunner } from '../jobs/job-runner';
import type { JobAnswer, JobData } from '../jobs/job.types';

export interface JobRequest {
  readonly kind: JobData['kind'];
  readonly model: string;
  readonly images: readonly Buffer[];
  readonly options: JobData['options'];
  readonly async: boolean;
}

/** Metadata keys become X-Cnn-Lens-* headers on binary answers: `class_index` -> `X-Cnn-Lens-Class-Index`. */
export function metadataHeader(key: string): string {
  const words = key
    .split(/[_\-\s]+/)
    .map((w) => (w.length > 0 ? w[0].toUpperCase() + w.slice(1) : w));
  return `X-Cnn-Lens-${words.join('-')}`;
}

/** Printable ASCII goes as it is; anything else (a non-Latin label) is percent-encoded, as headers must be ASCII. */
export function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

export function sendAnswer(reply: FastifyReply, answer: JobAnswer, jobId?: string): FastifyReply {
  if (jobId !== undefined) {
    void reply.header('X-Cnn-Lens-Job-Id', jobId);
  }
  if (answer.type === 'json') {
    // stored or pre-encoded bytes go out as they are, never parsed and serialised again here
    return answer.encoded === undefined
      ? reply.status(200).send(answer.body)
      : reply.status(200).type('application/json; charset=utf-8').send(answer.encoded);
  }

  for (const [key, value] of Object.entries(answer.metadata)) {
    void reply.header(metadataHeader(key), headerValue(String(value)));
  }
  return reply.status(200).header('Content-Type', answer.contentType).send(answer.data);
}

/**
 * Submits a job and answers: with its result when it finishes within the
 * request timeout, or at once with 202 and the job's location when async.
 * A synchronous caller that hangs up before the answer withdraws its job
 * (JOB_CANCELLED): removed if no worker has taken it, its answer refused if
 * one has. Retry-After on errors is set by DomainErrorFilter.
 */
export async function respondWithJob(
  reply: FastifyReply,
  runner: JobRunner,
  request: JobRequest,
  timeoutMs: number,
): Promise<FastifyReply> {
  const jobId = await runner.submit(request.kind, request.model, request.images, request.options);

  if (request.async) {
    return reply
      .status(202)
      .header('Location', `/v1/jobs/${jobId}`)
      .send({
        jobId,
        state: 'waiting',
        status: `/v1/jobs/${jobId}`,
        result: `/v1/jobs/${jobId}/result`,
      });
  }

  const caller = callerPresence(reply, () => withdraw(runner, jobId));
  try {
    const answer = await runner.wait(jobId, timeoutMs, caller.signal);
    return sendAnswer(reply, answer, jobId);
  } catch (error) {
    // A failed or unfinished job's answer still names it: its log lines and status carry the id.
    void reply.header('X-Cnn-Lens-Job-Id', jobId);
    if (error instanceof JobTimeoutError) {
      void reply.header('Location', `/v1/jobs/${jobId}`);
    }
    throw error;
  } finally {
    caller.release();
  }
}

/**
 * Aborts when the connection closes before the answer was sent (the caller
 * hung up), and calls onGone then; release() stops watching.
 */
function callerPresence(
  reply: FastifyReply,
  onGone: () => void,
): { signal: AbortSignal; release(): void } {
  const gone = new AbortController();
  const response = reply.raw;
  const onClose = (): void => {
    if (!response.writableFinished) {
      gone.abort();
      onGone();
    }
  };
  response.once('close', onClose);
  return { signal: gone.signal, release: () => response.off('close', onClose) };
}

/**
 * Cancels the job of a caller that went away. No one is left to tell when
 * that fails (Redis away): the job then runs to its end unobserved, and its
 * answer expires after JOB_RESULT_TTL_SECONDS like any other.
 */
function withdraw(runner: JobRunner, jobId: string): void {
  runner.cancel(jobId).catch(() => undefined);
}
