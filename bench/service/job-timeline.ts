import type { Redis } from 'ioredis';

import { QUEUE_NAME } from '../../src/jobs/queue/queue.keys';
import { summarize } from '../support/sample.stats';

export interface JobTimeline {
  readonly jobs: number;
  /** Median time from enqueue (BullMQ `timestamp`) to a worker taking the job (`processedOn`). */
  readonly waitMs: number;
  /** Median time from a worker taking the job to its completion (`finishedOn`). */
  readonly runMs: number;
}

/**
 * Where a queued job's time went, from BullMQ's own job records: the jobs
 * completed since `sinceMs` (epoch ms), read from the completed set.
 */
export async function jobTimeline(
  redis: Redis,
  prefix: string,
  sinceMs: number,
): Promise<JobTimeline | undefined> {
  const base = `${prefix}:${QUEUE_NAME}`;
  const ids = await redis.zrangebyscore(`${base}:completed`, sinceMs, '+inf');
  const waits: number[] = [];
  const runs: number[] = [];

  for (const id of ids) {
    const [created, processed, finished] = (
      await redis.hmget(`${base}:${id}`, 'timestamp', 'processedOn', 'finishedOn')
    ).map(Number);
    if (
      created !== undefined &&
      processed !== undefined &&
      finished !== undefined &&
      created > 0 &&
      processed > 0 &&
      finished > 0
    ) {
      waits.push(processed - created);
      runs.push(finished - processed);
    }
  }
  return waits.length === 0
    ? undefined
    : { jobs: waits.length, waitMs: summarize(waits).medianMs, runMs: summarize(runs).medianMs };
}
