/**
 * Forwards a computation's progress to its job at most once per `intervalMs`
 * and only forward: in queue mode every update is a Redis write, and an
 * integrated-gradients job of 512 steps would otherwise make 512 of them.
 * Writes go out in order without holding up the model runs; a failed one is
 * kept and thrown by flush(), so that it fails the job as an awaited write would.
 */
export class ThrottledProgress {
  private sentAt: number;
  private sent = Number.NEGATIVE_INFINITY;
  private writes: Promise<void> = Promise.resolve();
  private failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly write: (fraction: number) => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    // the stage before was just reported: the first update waits a whole interval too
    this.sentAt = now();
  }

  report(fraction: number): void {
    const at = this.now();
    if (fraction <= this.sent || at - this.sentAt < this.intervalMs || this.failure !== undefined) {
      return;
    }
    this.sent = fraction;
    this.sentAt = at;
    this.writes = this.writes
      .then(() => this.write(fraction))
      .catch((error: unknown) => {
        this.failure ??= { error };
      });
  }

  /** Waits for the writes sent; throws the first that failed. */
  async flush(): Promise<void> {
    await this.writes;
    if (this.failure !== undefined) {
      throw this.failure.error;
    }
  }
}
