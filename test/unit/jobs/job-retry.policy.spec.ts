import { ImageCorruptError } from '../../../src/errors/image-corrupt.error';
import { JobLockLostError } from '../../../src/errors/job-lock-lost.error';
import { RedisUnavailableError } from '../../../src/errors/redis-unavailable.error';
import { isTransient, retryDelayMs } from '../../../src/jobs/job-retry.policy';

function systemError(code: string): Error {
  return Object.assign(new Error(`${code}: something`), { code });
}

describe('isTransient', () => {
  it('should follow a domain error: Redis away yes, a caller mistake or a lost lock never', () => {
    expect(isTransient(new RedisUnavailableError('read', 'refused'))).toBe(true);
    expect(isTransient(new ImageCorruptError('png', 'CRC error'))).toBe(false);
    expect(isTransient(new JobLockLostError('j'))).toBe(false);
  });

  it('should retry exhausted resources and lost connections', () => {
    expect(isTransient(systemError('ENOMEM'))).toBe(true);
    expect(isTransient(systemError('ECONNRESET'))).toBe(true);
    expect(isTransient(new Error('Failed to allocate memory for requested buffer of size 8'))).toBe(
      true,
    );
    expect(isTransient(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
  });

  it('should fail programming errors at once', () => {
    expect(isTransient(new TypeError('x is undefined'))).toBe(false);
    expect(isTransient(new RangeError('Invalid string length'))).toBe(false);
    expect(isTransient('a string thrown')).toBe(false);
  });
});

describe('retryDelayMs', () => {
  it("should double from the first delay as BullMQ's exponential backoff does", () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(100, attempt))).toEqual([100, 200, 400, 800]);
  });
});
