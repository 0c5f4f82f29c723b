import { EventEmitter } from 'node:events';

import type { QueueEvents } from 'bullmq';

import { JobCompletionWatcher } from '../../../src/jobs/queue/job-completion.watcher';

function watcher(pollMs: number) {
  const events = new EventEmitter();
  const watched = new JobCompletionWatcher(
    events as unknown as QueueEvents,
    { disconnect: () => undefined, status: 'ready' },
    { pollMs },
  );
  return { events, watched };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('JobCompletionWatcher', () => {
  it('should wake a waiter on its job completed event, long before the poll', async () => {
    const { events, watched } = watcher(10_000);
    let finished = false;

    const started = Date.now();
    const waiting = watched.wait('job-1', { timeoutMs: 5000 }, () => Promise.resolve(finished));
    setTimeout(() => {
      finished = true;
      events.emit('completed', { jobId: 'job-1' });
    }, 30);

    expect(await waiting).toBe('finished');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('should ignore the events of other jobs', async () => {
    const { events, watched } = watcher(10_000);
    let checks = 0;

    const waiting = watched.wait('job-1', { timeoutMs: 300 }, () => {
      checks += 1;
      return Promise.resolve(false);
    });
    events.emit('failed', { jobId: 'job-2' });
    events.emit('completed', { jobId: 'job-2' });
    // an event of job-1 would have checked again at once; the next check is at the timeout
    await sleep(100);

    expect(checks).toBe(1);
    expect(await waiting).toBe('timeout');
  });

  it('should notice a finish without any event by polling (events lost while Redis was away)', async () => {
    const { watched } = watcher(20);
    let checks = 0;

    const outcome = await watched.wait('job-1', { timeoutMs: 2000 }, () =>
      Promise.resolve(++checks >= 3),
    );

    expect(outcome).toBe('finished');
    expect(checks).toBe(3);
  });

  it('should count a failing check as not finished and give up at the timeout when no bound is set', async () => {
    const { watched } = watcher(20);

    const started = Date.now();
    const outcome = await watched.wait('job-1', { timeoutMs: 150 }, () =>
      Promise.reject(new Error('redis away')),
    );

    expect(outcome).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('should give up as unreachable once checks have failed for unreachableAfterMs, long before the timeout', async () => {
    const { watched } = watcher(50);
    let checks = 0;

    const started = Date.now();
    const outcome = await watched.wait(
      'job-1',
      { timeoutMs: 10_000, unreachableAfterMs: 200 },
      () => {
        checks += 1;
        return Promise.reject(new Error('redis away'));
      },
    );

    expect(outcome).toBe('unreachable');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(checks).toBeGreaterThanOrEqual(4);
  });

  it('should start counting the failures again after a check that succeeds', async () => {
    const { watched } = watcher(50);
    let checks = 0;

    // fails, fails, answers "not finished", then fails for good: the bound counts from the last run
    const started = Date.now();
    const outcome = await watched.wait(
      'job-1',
      { timeoutMs: 10_000, unreachableAfterMs: 120 },
      () => {
        checks += 1;
        return checks === 3 ? Promise.resolve(false) : Promise.reject(new Error('redis away'));
      },
    );

    expect(outcome).toBe('unreachable');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100 + 110);
  });

  it('should stop at once when the signal aborts, whatever the poll and timeout', async () => {
    const { watched } = watcher(10_000);
    const caller = new AbortController();

    const started = Date.now();
    const waiting = watched.wait('job-1', { timeoutMs: 10_000, signal: caller.signal }, () =>
      Promise.resolve(false),
    );
    setTimeout(() => caller.abort(), 30);

    expect(await waiting).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('should answer at once for a job already finished when the wait begins', async () => {
    const { watched } = watcher(10_000);

    expect(await watched.wait('job-1', { timeoutMs: 5000 }, () => Promise.resolve(true))).toBe(
      'finished',
    );
  });
});
