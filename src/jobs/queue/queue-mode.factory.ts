import { hostname } from 'node:os';

import { Queue, QueueEvents } from 'bullmq';

import type { AppConfig } from '../../config/app-config';
import type { Logger } from '../../logging/logger';
import { type FailureCounter, JobExecutor } from '../job.executor';
import type { JobHandlerRegistry } from '../job-handler.registry';
import { JobCompletionWatcher } from './job-completion.watcher';
import { type CnnLensQueue, QueueJobRunner } from './queue-job.runner';
import { QueueJobWorker } from './queue-job.worker';
import { QUEUE_NAME, QueueKeys } from './queue.keys';
import { RedisJobStore } from './redis-job.store';
import { createBlockingClient, createCommandClient } from './redis-client.factory';

/** Fallback poll of a waiting request; QueueEvents normally wakes it within a millisecond. */
const WAIT_POLL_MS = 1000;

function redisUrlOf(config: AppConfig): string {
  if (config.redisUrl === undefined) {
    throw new Error('queue mode needs REDIS_URL');
  }
  return config.redisUrl;
}

/**
 * The job store on a fail-fast client of its own without a command timeout:
 * the store bounds each transfer by its size (payloadTimeoutMs) instead.
 */
function createJobStore(
  config: AppConfig,
  url: string,
  name: string,
  logger: Logger,
): RedisJobStore {
  const settings = config.queue;
  return new RedisJobStore(
    createCommandClient({ url, name }, logger),
    new QueueKeys(settings.prefix),
    {
      commandTimeoutMs: settings.commandTimeoutMs,
      inputTtlSeconds: settings.inputTtlSeconds,
      resultTtlSeconds: config.jobResultTtlSeconds,
    },
  );
}

/** The API side: a producer Queue on a fail-fast client, and one QueueEvents stream for every waiter. */
export function createQueueRunner(config: AppConfig, logger: Logger): QueueJobRunner {
  const url = redisUrlOf(config);
  const settings = config.queue;
  const redis = createCommandClient(
    { url, name: 'api', commandTimeoutMs: settings.commandTimeoutMs },
    logger,
  );
  const queue: CnnLensQueue = new Queue(QUEUE_NAME, { connection: redis, prefix: settings.prefix });
  queue.on('error', (error) => logger.debug({ error: error.message }, 'queue client error'));

  const eventsClient = createBlockingClient({ url, name: 'api-events' }, logger);
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsClient, prefix: settings.prefix });
  events.on('error', (error) => logger.debug({ error: error.message }, 'queue events error'));

  return new QueueJobRunner(
    queue,
    redis,
    createJobStore(config, url, 'api-payloads', logger),
    new JobCompletionWatcher(events, eventsClient, { pollMs: WAIT_POLL_MS }),
    {
      maxDepth: config.queueMaxDepth,
      attempts: settings.attempts,
      backoffMs: settings.backoffMs,
      resultTtlSeconds: config.jobResultTtlSeconds,
      commandTimeoutMs: settings.commandTimeoutMs,
    },
    logger,
  );
}

/** The worker side; call start() to begin taking jobs. */
export function createQueueWorker(
  config: AppConfig,
  handlers: JobHandlerRegistry,
  failures: FailureCounter,
  logger: Logger,
): QueueJobWorker {
  const url = redisUrlOf(config);
  const settings = config.queue;
  const name = settings.workerName ?? `${hostname()}:${process.pid}`;
  const store = createJobStore(config, url, 'worker-payloads', logger);

  return new QueueJobWorker(
    new JobExecutor(handlers, store, failures, logger),
    store,
    createBlockingClient({ url, name: 'worker' }, logger),
    {
      prefix: settings.prefix,
      name,
      concurrency: config.workerConcurrency,
      lockDurationMs: settings.lockDurationMs,
      stalledIntervalMs: settings.stalledIntervalMs,
      maxStalledCount: settings.maxStalledCount,
    },
    logger,
  );
}
