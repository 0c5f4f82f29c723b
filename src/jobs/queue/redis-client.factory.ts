import { Redis } from 'ioredis';

import type { Logger } from '../../logging/logger';

export interface RedisClientOptions {
  readonly url: string;
  /** Bound of a single command on the request path; blocking clients have none. */
  readonly commandTimeoutMs?: number;
  readonly name: string;
}

/** Reconnect forever, quickly at first, at most every 2 s: the service heals when Redis returns. */
const reconnectDelay = (attempt: number): number => Math.min(attempt * 100, 2000);

/**
 * A client for the request path and the job store: commands fail at once
 * while Redis is away (no offline queue, one retry), so the API answers 503
 * instead of hanging. A command in flight when the connection drops fails
 * too rather than being sent again on the next connection: a payload Redis
 * refuses by closing the connection (a string over its proto-max-bulk-len)
 * would otherwise be sent again at every reconnection and hold the client.
 */
export function createCommandClient(options: RedisClientOptions, logger: Logger): Redis {
  const client = new Redis(options.url, {
    connectionName: `cnn-lens:${options.name}`,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.commandTimeoutMs ?? 10_000,
    retryStrategy: reconnectDelay,
  });
  return watchConnection(client, options.name, logger);
}

/** A client for BullMQ's blocking reads (Worker, QueueEvents): BullMQ requires unlimited retries there. */
export function createBlockingClient(options: RedisClientOptions, logger: Logger): Redis {
  const client = new Redis(options.url, {
    connectionName: `cnn-lens:${options.name}`,
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelay,
  });
  return watchConnection(client, options.name, logger);
}

/** Logs each outage once, not at every reconnection attempt, and keeps ioredis's error events handled. */
function watchConnection(client: Redis, name: string, logger: Logger): Redis {
  let down = false;

  client.on('error', (error: Error) => {
    if (!down) {
      down = true;
      logger.warn({ redisClient: name, error: error.message }, 'redis connection lost');
    }
  });
  client.on('ready', () => {
    if (down) {
      down = false;
      logger.info({ redisClient: name }, 'redis connection restored');
    }
  });
  return client;
}
