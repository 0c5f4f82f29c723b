import type { QueueEvents } from 'bullmq';

/** Whether a job has reached an end state, as read from Redis. */
export type FinishCheck = () => Promise<boolean>;

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
    private readonly connection: { disconnect(): void },
    private readonly options: WatcherOptions,
  ) {
    const wake = ({ jobId }: { jobId: string }): void => this.wake(jobId);
    events.on('completed', wake);
    events.on('failed', wake);
  }

  /** Resolves true when the job finished, false when timeoutMs passed first. */
  async wait(jobId: string, timeoutMs: number, finished: FinishCheck): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const signal = new WakeSignal();
    const wake = (): void => signal.fire();
    this.register(jobId, wake);

    try {
      while (!(await this.safely(finished))) {
        const left = deadline - Date.now();
        if (left <= 0) {
          return false;
        }
        await signal.next(Math.min(left, this.options.pollMs));
      }
      return true;
    } finally {
      this.unregister(jobId, wake);
    }
  }

  /** Closes the events stream and its connection (BullMQ leaves a connection it was given open). */
  async close(): Promise<void> {
    await this.events.close();
    this.connection.disconnect();
  }

  /** A failed check (Redis away) counts as not finished yet; the deadline still bounds the wait. */
  private async safely(finished: FinishCheck): Promise<boolean> {
    try {
      return await finished();
    } catch {
      return false;
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
