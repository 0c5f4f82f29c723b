import { EventEmitter } from 'node:events';

import type { QueueEvents } from 'bullmq';

import { JobCompletionWatcher } from '../../../src/jobs/queue/job-completion.watcher';

function watcher(pollMs: number) {
  const events = new EventEmitter();
  const watched = new JobCompletionWatcher(
    events as unknown as QueueEvents,
    { disconnect: () => undefined },
    { pollMs },
  );
  return { events, watched };
}

describe('JobCompletionWatcher', () => {
  it('should wake a waiter on its job completed event, long before the poll', async () => {
    const { events, watched } = watcher(10_000);
    let finished = false;

    const started = Date.now();
    const waiting = watched.wait('job-1', 5000, () => Promise.resolve(finished));
    setTimeout(() => {
      finished = true;
      events.emit('completed', { jobId: 'job-1' });
    }, 30);

    expect(await waiting).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('should ignore the events of other jobs', async () => {
    const { events, watched } = watcher(10_000);
    let checks = 0;

    const waiting = watched.wait('job-1', 200, () => {
      checks += 1;
      return Promise.resolve(false);
    });
    events.emit('failed', { jobId: 'job-2' });

    expect(await waiting).toBe(false);
    expect(checks).toBe(2);
  });

  it('should notice a finish without any event by polling (events lost while Redis was away)', async () => {
    const { watched } = watcher(20);
    let checks = 0;

    const finished = await watched.wait('job-1', 2000, () => Promise.resolve(++checks >= 3));

    expect(finished).toBe(true);
    expect(checks).toBe(3);
  });

  it('should count a failing check as not finished and give up at the timeout', async () => {
    const { watched } = watcher(20);

    const started = Date.now();
    const finished = await watched.wait('job-1', 150, () =>
      Promise.reject(new Error('redis away')),
    );

    expect(finished).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('should answer at once for a job already finished when the wait begins', async () => {
    const { watched } = watcher(10_000);

    expect(await watched.wait('job-1', 5000, () => Promise.resolve(true))).toBe(true);
  });
});
