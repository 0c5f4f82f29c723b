import { ReplyError } from 'ioredis';

import { RedisUnavailableError } from '../../errors/redis-unavailable.error';

/**
 * Runs one Redis operation with a time bound. A connection problem or the
 * timeout becomes RedisUnavailableError (503), so a request never hangs on a
 * Redis that is gone; an error Redis itself replied with stays what it is.
 */
export async function redisCall<T>(
  operation: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new RedisUnavailableError(operation, `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });

  try {
    return await Promise.race([run(), timeout]);
  } catch (error) {
    if (
      error instanceof RedisUnavailableError ||
      error instanceof ReplyError ||
      !isConnectionError(error)
    ) {
      throw error;
    }
    throw new RedisUnavailableError(operation, error.message);
  } finally {
    clearTimeout(timer);
  }
}

const CONNECTION_PATTERNS = [
  /stream isn't writeable/i,
  /connection is closed/i,
  /max retries per request/i,
  /command timed out/i,
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH/,
  /connection (lost|closed|refused)/i,
];

/** An ioredis or socket error of a connection that is gone, as opposed to an error Redis replied with. */
export function isConnectionError(error: unknown): error is Error {
  return (
    error instanceof Error && CONNECTION_PATTERNS.some((pattern) => pattern.test(error.message))
  );
}
