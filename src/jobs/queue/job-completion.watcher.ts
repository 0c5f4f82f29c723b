import type { QueueEvents } from 'bullmq';

import { closeUnlessRedisAway } from './close-unless-redis-away';

/** Whether a job has reached an end state, as read from Redis. */
export type FinishCheck = () => Promise<boolean>;

/** How long a request waits for its job. */
export interface WaitLimits {
  readonly timeoutMs: number;
  /** Aborts the wait at once (the caller went away). */
  readonly signal?: AbortSignal;
  /** Gives up once every check has failed for this long; unset: failing checks wait out timeoutMs. */
  readonly unreachableAfterMs?: number;
}

export type WaitOutcome = 'finished' | 'timeout' | 'aborted' | 'unreachable';

export interface WatcherOptions {
  /** Fallback polling period: covers events missed while the events connection was down. */
  readonly pollMs: number;
}

/**
 * Wakes waiting requests when their job completes or fails. One QueueEvents
 * stream per process feeds every waiter; a slow poll backs it up, because
 * events published while Redis or the stream reader was away are not replayed.
 */
export class JobCompletionWatcher {
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly events: QueueEvents,
    private readonly connection: { disconnect(): void; readonly status: string },
    private readonly options: WatcherOptions,
  ) {
    const wake = ({ jobId }: { jobId: string }): void => this.wake(jobId);
    events.on('completed', wake);
    events.on('failed', wake);
  }

  /**
   * Resolves 'finished' when the check says the job reached an end state,
   * 'timeout' when timeoutMs passed first, 'aborted' as soon as the signal
   * aborts, and 'unreachable' once checks have kept failing for
   * unreachableAfterMs (Redis gone: the caller need not wait out its timeout).
   */
  async wait(jobId: string, limits: WaitLimits, finished: FinishCheck): Promise<WaitOutcome> {
    const deadline = Date.now() + limits.timeoutMs;
    const signal = new WakeSignal();
    const wake = (): void => signal.fire();
    this.register(jobId, wake);
    limits.signal?.addEventListener('abort', wake, { once: true });
    let failingSince: number | undefined;
    const aborted = (): boolean => limits.signal?.aborted === true;

    try {
      for (;;) {
        if (aborted()) {
          return 'aborted';
        }
        const checkedAt = Date.now();
        const check = await this.safely(finished);
        if (check === 'yes') {
          return 'finished';
        }
        if (aborted()) {
          return 'aborted';
        }

        failingSince = check === 'failed' ? (failingSince ?? checkedAt) : undefined;
        const unreachable = limits.unreachableAfterMs;
        if (
          failingSince !== undefined &&
          unreachable !== undefined &&
          Date.now() - failingSince >= unreachable
        ) {
          return 'unreachable';
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          return 'timeout';
        }
        await signal.next(Math.min(left, this.options.pollMs));
      }
    } finally {
      limits.signal?.removeEventListener('abort', wake);
      this.unregister(jobId, wake);
    }
  }

  /**
   * Closes the events stream and its connection (BullMQ leaves a connection
   * it was given open); with Redis away, without waiting for it to return.
   */
  async close(): Promise<void> {
    await closeUnlessRedisAway(this.events.close(), this.connection);
    this.connection.disconnect();
  }

  /** A failed check (Redis away) counts as not finished yet; the caller's limits decide how long that may last. */
  private async safely(finished: FinishCheck): Promise<'yes' | 'no' | 'failed'> {
    try {
      return (await finished()) ? 'yes' : 'no';
    } catch {
      return 'failed';
    }
  }

  private register(jobId: string, wake: () => void): void {
    const set = this.waiters.get(jobId) ?? new Set();
    set.add(wake);
    this.waiters.set(jobId, set);
  }

  private unregister(jobId: string, wake: () => void): void {
    const set = this.waiters.get(jobId);
    set?.delete(wake);
    if (set?.size === 0) {
      this.waiters.delete(jobId);
    }
  }

  private wake(jobId: string): void {
    for (const wake of this.waiters.get(jobId) ?? []) {
      wake();
    }
  }
}

/** A wake-up that may fire before anyone listens; next() resolves on a pending or new fire, or after ms. */
class WakeSignal {
  private fired = false;
  private resolve: (() => void) | undefined;

  fire(): void {
    this.fired = true;
    this.resolve?.();
  }

  async next(ms: number): Promise<void> {
    if (this.fired) {
      this.fired = false;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.resolve = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.resolve = undefined;
    this.fired = false;
  }
}
