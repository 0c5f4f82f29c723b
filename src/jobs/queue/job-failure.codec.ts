import { DomainError, type ErrorKind } from '../../errors/domain-error';
import { JobFailedError } from '../../errors/job-failed.error';
import { JobStalledError } from '../../errors/job-stalled.error';
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

/** BullMQ's own failedReason for a job taken back from dead workers too often. */
export const STALLED_REASON = 'job stalled more than allowable limit';

/** The failure a caller sees: a domain error keeps its code, message and details, anything else is INTERNAL. */
export function failureOf(error: unknown): JobFailure {
  if (!(error instanceof DomainError)) {
    return { code: 'INTERNAL', message: 'the job failed unexpectedly', kind: 'internal' };
  }
  const details = error.details();
  return {
    code: error.code,
    message: error.message,
    kind: error.kind,
    ...(details === undefined ? {} : { details }),
  };
}

/** BullMQ keeps the thrown error's message as the job's failedReason; ours is this JSON. */
export function encodeFailure(failure: JobFailure): string {
  return JSON.stringify(failure);
}

/** Reads failedReason back; BullMQ's own reasons are plain text: a stall becomes JOB_STALLED, others JOB_FAILED. */
export function decodeFailure(failedReason: string | undefined): JobFailure {
  try {
    const parsed = JSON.parse(failedReason ?? '') as Partial<JobFailure>;
    if (
      typeof parsed.code === 'string' &&
      typeof parsed.message === 'string' &&
      typeof parsed.kind === 'string'
    ) {
      const details = isRecord(parsed.details) ? { details: parsed.details } : {};
      return { code: parsed.code, message: parsed.message, kind: parsed.kind, ...details };
    }
  } catch {
    // not ours: fall through to BullMQ's own reasons below
  }
  if (failedReason === STALLED_REASON) {
    return failureOf(new JobStalledError(failedReason));
  }
  return {
    code: 'JOB_FAILED',
    message: `the job failed: ${failedReason ?? 'no reason recorded'}`,
    kind: 'internal',
  };
}

/** The error to throw at a caller for a failed job, with the job's own code, kind, message and details. */
export function failureError(failure: JobFailure): JobFailedError {
  const kind = ERROR_KINDS.has(failure.kind) ? (failure.kind as ErrorKind) : 'internal';
  return new JobFailedError(failure.code, kind, failure.message, failure.details);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
