import { type ServiceProcess, startService } from './service.process';

export interface StallAwareWorkerOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  /** Added to every job, so a test can catch a job while it is active. */
  readonly delayMs: number;
  readonly name?: string;
}

/**
 * A worker process (ROLE=worker) whose dead jobs are detected within
 * lockDuration + stalledInterval = 3 s, so a test can kill it and wait.
 */
export function startStallAwareWorker(options: StallAwareWorkerOptions): Promise<ServiceProcess> {
  return startService({
    ROLE: 'worker',
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    ...(options.name === undefined ? {} : { WORKER_NAME: options.name }),
    JOB_LOCK_DURATION_MS: '2000',
    JOB_STALLED_INTERVAL_MS: '1000',
    TEST_JOB_DELAY_MS: String(options.delayMs),
  });
}
