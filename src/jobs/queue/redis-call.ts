import { ReplyError } from 'ioredis';

import { RedisUnavailableError } from '../../errors/redis-unavailable.error';

/**
 * Error replies of a Redis that cannot serve writes or reads for a while: out
 * of memory under noeviction, loading its data after a restart, busy in a
 * long script, a replica without its master, a failover in progress. Another
 * try later may succeed, so they are the caller's 503, not a 500.
 */
export const UNAVAILABLE_REPLY =
  /^(OOM|LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS)\b/;

/**
 * Runs one Redis operation with a time bound. A connection problem, the
 * timeout or an error reply of a Redis that is unavailable for a while
 * (UNAVAILABLE_REPLY) becomes RedisUnavailableError (503), so a request
 * never hangs on, or fails with a 500 because of, a Redis that is gone or
 * full; any other error Redis replied with (WRONGTYPE, a script error) stays
 * what it is.
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
    throw asUnavailable(operation, error);
  } finally {
    clearTimeout(timer);
  }
}

/** The error as the caller should see it: RedisUnavailableError when Redis is gone or unavailable for a while. */
export function asUnavailable(operation: string, error: unknown): unknown {
  if (error instanceof RedisUnavailableError) {
    return error;
  }
  const reply = unavailableReply(error);
  if (reply !== undefined) {
    return new RedisUnavailableError(operation, reply);
  }
  if (error instanceof ReplyError) {
    return error;
  }
  return isConnectionError(error)
    ? new RedisUnavailableError(operation, connectionReason(error.message))
    : error;
}

/**
 * ioredis's refusal of a command while it has no connection, in the service's words: it names an
 * ioredis option the caller never set. Other connection errors (ECONNREFUSED, ...) say enough.
 */
function connectionReason(message: string): string {
  return message.includes('enableOfflineQueue') ? 'no connection to Redis' : message;
}

/**
 * The message of an error reply that says Redis is unavailable for a while,
 * also when it reached the caller inside an aborted transaction (EXECABORT
 * carries the replies that made it fail as previousErrors).
 */
function unavailableReply(error: unknown): string | undefined {
  if (!(error instanceof Error)) {
    return undefined;
  }
  if (UNAVAILABLE_REPLY.test(error.message)) {
    return error.message;
  }
  const previous = (error as { previousErrors?: unknown }).previousErrors;
  const causes = Array.isArray(previous) ? (previous as unknown[]) : [];
  return causes
    .filter((cause): cause is Error => cause instanceof Error)
    .find((cause) => UNAVAILABLE_REPLY.test(cause.message))?.message;
}

const CONNECTION_PATTERNS = [
  /stream isn't writeable/i,
  /connection is closed/i,
  /max retries per request/i,
  /command timed out/i,
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH/,
  /connection (lost|closed|refused)/i,
  // ioredis, for a command that was in flight when its connection dropped (not sent again)
  /aborted due to connection close/i,
];

/** An ioredis or socket error of a connection that is gone, as opposed to an error Redis replied with. */
export function isConnectionError(error: unknown): error is Error {
  return (
    error instanceof Error && CONNECTION_PATTERNS.some((pattern) => pattern.test(error.message))
  );
}
