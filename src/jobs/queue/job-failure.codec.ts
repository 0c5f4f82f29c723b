import { DomainError, type ErrorKind } from '../../errors/domain-error';
import { JobFailedError } from '../../errors/job-failed.error';
import type { JobFailure } from '../job.types';

const ERROR_KINDS: ReadonlySet<string> = new Set<ErrorKind>([
  'invalid-argument',
  'not-found',
  'payload-too-large',
  'unsupported-media-type',
  'conflict',
  'unprocessable',
  'too-many-requests',
  'unavailable',
  'timeout',
  'internal',
]);

/** The failure a caller sees: a domain error keeps its code and message, anything else is INTERNAL. */
export function failureOf(error: unknown): JobFailure {
  return error instanceof DomainError
    ? { code: error.code, message: error.message, kind: error.kind }
    : { code: 'INTERNAL', message: 'the job failed unexpectedly', kind: 'internal' };
}

/** BullMQ keeps the thrown error's message as the job's failedReason; ours is this JSON. */
export function encodeFailure(failure: JobFailure): string {
  return JSON.stringify(failure);
}

/** Reads failedReason back; BullMQ's own reasons (a job stalled too often) are plain text and become INTERNAL. */
export function decodeFailure(failedReason: string | undefined): JobFailure {
  try {
    const parsed = JSON.parse(failedReason ?? '') as Partial<JobFailure>;
    if (
      typeof parsed.code === 'string' &&
      typeof parsed.message === 'string' &&
      typeof parsed.kind === 'string'
    ) {
      return { code: parsed.code, message: parsed.message, kind: parsed.kind };
    }
  } catch {
    // not ours: fall through to the generic failure below
  }
  return {
    code: 'JOB_FAILED',
    message: `the job failed: ${failedReason ?? 'no reason recorded'}`,
    kind: 'internal',
  };
}

/** The error to throw at a caller for a failed job, with the job's own code, kind and message. */
export function failureError(failure: JobFailure): JobFailedError {
  const kind = ERROR_KINDS.has(failure.kind) ? (failure.kind as ErrorKind) : 'internal';
  return new JobFailedError(failure.code, kind, failure.message);
}
