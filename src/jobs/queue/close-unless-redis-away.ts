/** What the close needs to know of a Redis connection: ioredis's status, 'ready' while Redis answers. */
export interface ConnectionStatus {
  readonly status: string;
}

export interface CloseWaitOptions {
  /** True when nothing is left that Redis could still be needed for (no job running). */
  readonly idle?: () => boolean;
  /** How often the connection and `idle` are looked at while the close runs. */
  readonly pollMs?: number;
}

/** How a close ended: BullMQ finished it, or it was left because Redis is away. */
export type CloseOutcome = 'closed' | 'abandoned';

const DEFAULT_POLL_MS = 200;

/**
 * Waits for a BullMQ close (Worker, QueueEvents) while it can still end.
 *
 * BullMQ 6's close first waits for its connection to become ready (its
 * RedisConnection.disconnect awaits the client's initialisation), so while
 * Redis is unreachable it never returns, and a SIGTERM drain would last
 * SHUTDOWN_TIMEOUT_MS and end as a failure. This stops waiting once the
 * connection is not ready and `idle` says nothing runs any more: with Redis
 * away there is nothing a close could tell it. Jobs still running are waited
 * for, so a drain still lets them finish when Redis comes back in time. The
 * caller then drops its connections itself.
 */
export async function closeUnlessRedisAway(
  closing: Promise<unknown>,
  connection: ConnectionStatus,
  options: CloseWaitOptions = {},
): Promise<CloseOutcome> {
  const idle = options.idle ?? ((): boolean => true);
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  let timer: NodeJS.Timeout | undefined;

  const abandoned = new Promise<CloseOutcome>((resolve) => {
    const look = (): void => {
      if (connection.status !== 'ready' && idle()) {
        resolve('abandoned');
        return;
      }
      timer = setTimeout(look, pollMs);
    };
    look();
  });
  // A close that fails (the connection dropped under it) has ended as well.
  const closed = closing.then(
    (): CloseOutcome => 'closed',
    (): CloseOutcome => 'closed',
  );
  try {
    return await Promise.race([closed, abandoned]);
  } finally {
    clearTimeout(timer);
  }
}
