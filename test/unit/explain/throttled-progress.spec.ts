import { ThrottledProgress } from '../../../src/explain/throttled-progress';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let time = 1_000;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

describe('ThrottledProgress', () => {
  it('writes at most once per interval, the first a whole interval after it starts', async () => {
    const clock = manualClock();
    const written: number[] = [];
    const progress = new ThrottledProgress(
      (fraction) => {
        written.push(fraction);
        return Promise.resolve();
      },
      250,
      clock.now,
    );

    // 100 reports 10 ms apart: one second, so four writes at most
    for (let i = 1; i <= 100; i += 1) {
      clock.advance(10);
      progress.report(i / 100);
    }
    await progress.flush();

    expect(written).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('writes only values above the last one written', async () => {
    const clock = manualClock();
    const written: number[] = [];
    const progress = new ThrottledProgress(
      (fraction) => {
        written.push(fraction);
        return Promise.resolve();
      },
      0,
      clock.now,
    );

    for (const fraction of [0.2, 0.2, 0.1, 0.3]) {
      clock.advance(1);
      progress.report(fraction);
    }
    await progress.flush();

    expect(written).toEqual([0.2, 0.3]);
  });

  it('throws a failed write from flush, not as an unhandled rejection, and writes no more', async () => {
    const clock = manualClock();
    const attempts: number[] = [];
    const progress = new ThrottledProgress(
      (fraction) => {
        attempts.push(fraction);
        return Promise.reject(new Error('Redis is away'));
      },
      0,
      clock.now,
    );

    clock.advance(1);
    progress.report(0.3);
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(1);
    progress.report(0.6);

    await expect(progress.flush()).rejects.toThrow('Redis is away');
    expect(attempts).toEqual([0.3]);
  });
});
