import { Queue, QueueEvents } from 'bullmq';

import type { AppConfig } from '../../config/app-config';
import type { Logger } from '../../logging/logger';
import { type FailureCounter, JobExecutor } from '../job.executor';
import type { JobHandlerRegistry } from '../job-handler.registry';
import { workerName } from '../worker-name';
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
 * `outageWaitMs`: how long an operation waits for Redis to come back.
 */
function createJobStore(
  config: AppConfig,
  url: string,
  name: string,
  outageWaitMs: number,
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
      outageWaitMs,
    },
  );
}

/**
 * The API side: a producer Queue on a fail-fast client, and one QueueEvents
 * stream for every waiter. A ROLE=worker process has one too, for /readyz
 * and the queue depth of /metrics; its clients are named after its role
 * (CLIENT LIST shows `cnn-lens:<role>:queue`, `:payloads`, `:events`).
 * Its store never waits for Redis: a caller gets its 503 at once.
 */
export function createQueueRunner(config: AppConfig, logger: Logger): QueueJobRunner {
  const url = redisUrlOf(config);
  const settings = config.queue;
  const role = config.role;
  const redis = createCommandClient(
    { url, name: `${role}:queue`, commandTimeoutMs: settings.commandTimeoutMs },
    logger,
  );
  const queue: CnnLensQueue = new Queue(QUEUE_NAME, { connection: redis, prefix: settings.prefix });
  queue.on('error', (error) => logger.debug({ error: error.message }, 'queue client error'));

  const eventsClient = createBlockingClient({ url, name: `${role}:events` }, logger);
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsClient, prefix: settings.prefix });
  events.on('error', (error) => logger.debug({ error: error.message }, 'queue events error'));

  return new QueueJobRunner(
    queue,
    redis,
    createJobStore(config, url, `${role}:payloads`, 0, logger),
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

/**
 * The worker side; call start() to begin taking jobs. Its store waits up to
 * JOB_LOCK_DURATION_MS for a Redis that went away: within that the run may
 * still hold the job's lock, so an outage costs no attempt. Past it, with
 * Redis away all along, the lock has expired too: BullMQ refuses this run's
 * failure as it would its commit, and the stall check hands the job to a
 * new run.
 */
export function createQueueWorker(
  config: AppConfig,
  handlers: JobHandlerRegistry,
  failures: FailureCounter,
  logger: Logger,
): QueueJobWorker {
  const url = redisUrlOf(config);
  const settings = config.queue;
  const name = workerName(settings.workerName);
  const role = config.role;
  const store = createJobStore(
    config,
    url,
    `${role}:worker-payloads`,
    settings.lockDurationMs,
    logger,
  );

  return new QueueJobWorker(
    new JobExecutor(handlers, store, failures, logger, {
      maxResponseBytes: config.maxResponseBytes,
    }),
    store,
    createBlockingClient({ url, name: `${role}:worker` }, logger),
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
