import { DomainError } from '../errors/domain-error';
import { isConnectionError, UNAVAILABLE_REPLY } from './queue/redis-call';

/** System error codes of a resource that may be back in a moment. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ENOMEM',
  'EAGAIN',
  'EMFILE',
  'ENFILE',
  'EBUSY',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

/**
 * Messages of resource exhaustion (onnxruntime's allocator, the C++ runtime,
 * libvips) and of a Redis that is loading, busy or out of memory: another
 * attempt, later or on another worker, may succeed.
 */
const TRANSIENT_MESSAGES = [
  /failed to allocate|cannot allocate|could not allocate|allocation failed|out of memory|bad_alloc|\bENOMEM\b/i,
  /resource temporarily unavailable|too many open files/i,
  UNAVAILABLE_REPLY,
];

/**
 * Whether a failed attempt is worth another one. A domain error says so
 * itself (Redis away yes, a caller's mistake never). Anything else is retried
 * only when it looks transient (a lost connection, memory or file handles
 * running out); a TypeError, a RangeError ("Invalid string length") or any
 * other unexpected error would fail the same way again and fails at once.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof DomainError) {
    return error.retryable;
  }
  if (!(error instanceof Error)) {
    return false;
  }

  const { message } = error;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    (typeof code === 'string' && TRANSIENT_CODES.has(code)) ||
    isConnectionError(error) ||
    TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))
  );
}

/** BullMQ's exponential backoff, shared by the in-process runner: backoffMs x 2^(attempt - 1). */
export function retryDelayMs(backoffMs: number, attemptsMade: number): number {
  return Math.round(backoffMs * 2 ** Math.max(0, attemptsMade - 1));
}
