import type * as ort from 'onnxruntime-node';

import type { ForwardSession } from '../../../src/explain/explain-sessions';
import { batchedTargetScores } from '../../../src/explain/model-runs';
import { TimeBoundedBatch } from '../../../src/explain/time-bounded-batch';

describe('TimeBoundedBatch', () => {
  it('should start with one sample, then fit the budget by the last time per sample', () => {
    const sizer = new TimeBoundedBatch(1024, 1000);
    expect(sizer.next(5000)).toBe(1);

    sizer.record(1, 80); // 80 ms per sample: 12 fit in a second
    expect(sizer.next(5000)).toBe(12);

    sizer.record(12, 600); // 50 ms per sample: 20
    expect(sizer.next(5000)).toBe(20);
  });

  it('should never exceed batch_size or what is left, and never go below one', () => {
    const sizer = new TimeBoundedBatch(32, 1000);
    sizer.record(1, 0.01);
    expect(sizer.next(5000)).toBe(32);
    expect(sizer.next(7)).toBe(7);

    sizer.record(1, 5000); // one sample over the budget: still one per run
    expect(sizer.next(5000)).toBe(1);

    sizer.record(4, 0); // too fast to measure
    expect(sizer.next(100)).toBe(32);
  });
});

/** Holds the thread for `ms`, as onnxruntime-node's synchronous run does. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: the event loop is held
  }
}

/**
 * A forward session whose score for class 0 of each row is the row's first
 * input value, and whose run holds the thread for `msPerRow` per row.
 */
function slowSession(msPerRow: number, batches: number[]): ForwardSession {
  const session = {
    run: (feeds: Record<string, ort.Tensor>) => {
      const input = feeds.input;
      const rows = input.dims[0];
      const size = input.data.length / rows;
      batches.push(rows);
      block(rows * msPerRow);
      const scores = new Float32Array(rows * 2);
      for (let r = 0; r < rows; r += 1) {
        scores[r * 2] = (input.data as Float32Array)[r * size];
      }
      return Promise.resolve({
        scores: { data: scores },
        layer: { data: new Float32Array(0) },
      });
    },
  } as unknown as ort.InferenceSession;
  return {
    session,
    input: 'input',
    scoreOutput: 'scores',
    layerOutput: 'layer',
    layerChannels: 1,
    ablation: undefined,
    scoreIsLogits: true,
    batchable: true,
    release: () => Promise.resolve(),
  };
}

describe('batchedTargetScores', () => {
  it('should keep every run of a slow model within the budget, whatever batch_size says, and score every sample', async () => {
    const batches: number[] = [];
    const session = slowSession(10, batches);

    const scores = await batchedTargetScores(
      session,
      [1, 3],
      60,
      1024,
      0,
      (sample, out) => out.fill(sample + 0.5),
      { runBudgetMs: 100 },
    );

    // each sample's score is its own input, whatever batch it ran in
    expect(Array.from(scores)).toEqual(Array.from({ length: 60 }, (_, i) => i + 0.5));
    expect(batches.reduce((a, b) => a + b, 0)).toBe(60);
    expect(batches[0]).toBe(1);
    // 10 ms per row and a 100 ms budget: never more than 10 rows per run (timer slack aside)
    expect(Math.max(...batches)).toBeLessThanOrEqual(10);
    expect(Math.max(...batches)).toBeGreaterThanOrEqual(5);
  });

  it('should take batch_size per run from the second run on when the model is fast', async () => {
    const batches: number[] = [];
    const scores = await batchedTargetScores(
      slowSession(0, batches),
      [1, 2],
      70,
      32,
      0,
      (sample, out) => out.fill(sample),
      { runBudgetMs: 1000 },
    );

    expect(scores[69]).toBe(69);
    expect(batches).toEqual([1, 32, 32, 5]);
  });
});
