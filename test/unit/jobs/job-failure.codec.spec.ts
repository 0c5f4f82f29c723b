import { ImageTooLargeError } from '../../../src/errors/image-too-large.error';
import { JobFailedError } from '../../../src/errors/job-failed.error';
import { RedisUnavailableError } from '../../../src/errors/redis-unavailable.error';
import {
  decodeFailure,
  encodeFailure,
  failureError,
  failureOf,
} from '../../../src/jobs/queue/job-failure.codec';

describe('job failure codec', () => {
  it('should carry a domain error code, kind, message and details through failedReason', () => {
    const error = new RedisUnavailableError('read payload', 'connection refused');

    const failure = decodeFailure(encodeFailure(failureOf(error)));

    expect(failure).toEqual({
      code: 'REDIS_UNAVAILABLE',
      kind: 'unavailable',
      message:
        'the job queue is unavailable: Redis did not answer "read payload" (connection refused); retry shortly',
      details: { operation: 'read payload', retryAfterSeconds: 1 },
    });
  });

  it('should hide the message of an unexpected error behind INTERNAL', () => {
    expect(failureOf(new TypeError('x is undefined'))).toEqual({
      code: 'INTERNAL',
      kind: 'internal',
      message: 'the job failed unexpectedly',
    });
  });

  it("should read BullMQ's stall reason as JOB_STALLED, naming the setting that bounds it", () => {
    const failure = decodeFailure('job stalled more than allowable limit');

    expect(failure.code).toBe('JOB_STALLED');
    expect(failure.kind).toBe('internal');
    expect(failure.message).toContain('JOB_MAX_STALLED_COUNT');
  });

  it("should read BullMQ's other plain-text reasons as JOB_FAILED", () => {
    expect(decodeFailure('Missing lock for job 7. moveToFinished')).toEqual({
      code: 'JOB_FAILED',
      kind: 'internal',
      message: 'the job failed: Missing lock for job 7. moveToFinished',
    });
    expect(decodeFailure(undefined).code).toBe('JOB_FAILED');
  });

  it('should rebuild an error with the recorded code and kind, and internal for an unknown kind', () => {
    const known = failureError({
      code: 'IMAGE_TOO_LARGE',
      kind: 'payload-too-large',
      message: 'm',
    });
    const unknown = failureError({ code: 'X', kind: 'exotic', message: 'm' });

    expect(known).toBeInstanceOf(JobFailedError);
    expect(known).toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      kind: 'payload-too-large',
      message: 'm',
    });
    expect(unknown.kind).toBe('internal');
  });

  it('should keep retryable for transient kinds only', () => {
    expect(new RedisUnavailableError('op', 'r').retryable).toBe(true);
    expect(new ImageTooLargeError(5000, 5000, 1000).retryable).toBe(false);
  });
});
