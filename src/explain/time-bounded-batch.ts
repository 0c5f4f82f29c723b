/**
 * Longest a batched scoring run should hold the event loop. onnxruntime-node
 * runs a session synchronously on the main thread, where BullMQ renews the
 * job's lock (every half of JOB_LOCK_DURATION_MS) and, in ROLE=all, the API
 * answers; a second leaves both far inside their bounds.
 */
export const RUN_BUDGET_MS = 1000;

/**
 * The batch of each run of a batched scoring (Score-CAM, Ablation-CAM): at
 * most the caller's batch_size, and no more samples than the time per sample
 * of the last run lets fit in the budget. The first run takes one sample,
 * since nothing is known of the model's speed yet.
 */
export class TimeBoundedBatch {
  private msPerSample: number | undefined;

  constructor(
    private readonly maxBatch: number,
    private readonly budgetMs: number = RUN_BUDGET_MS,
  ) {}

  /** The batch of the next run, with `remaining` samples left to score. */
  next(remaining: number): number {
    const byTime =
      this.msPerSample === undefined
        ? 1
        : Math.floor(this.budgetMs / Math.max(this.msPerSample, Number.EPSILON));
    return Math.max(1, Math.min(this.maxBatch, remaining, byTime));
  }

  /** What the last run of `batch` samples took. */
  record(batch: number, elapsedMs: number): void {
    this.msPerSample = elapsedMs / batch;
  }
}
