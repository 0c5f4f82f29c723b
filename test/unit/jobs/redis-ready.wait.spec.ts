import { EventEmitter } from 'node:events';

import type { Redis } from 'ioredis';

import { readyAgain } from '../../../src/jobs/queue/redis-ready.wait';

/** What readyAgain reads of an ioredis client: its status and its 'ready' event. */
class FakeClient extends EventEmitter {
  status = 'reconnecting';

  reconnect(): void {
    this.status = 'ready';
    this.emit('ready');
  }
}

const asRedis = (client: FakeClient): Redis => client as unknown as Redis;

describe('readyAgain', () => {
  it('has many waiters share one ready listener, and wakes them all when the connection is back', async () => {
    const client = new FakeClient();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);

    try {
      const waits = Array.from({ length: 25 }, () =>
        readyAgain(asRedis(client), Date.now() + 5_000),
      );
      expect(client.listenerCount('ready')).toBe(1);

      client.reconnect();
      await expect(Promise.all(waits)).resolves.toEqual(Array.from({ length: 25 }, () => true));
      expect(client.listenerCount('ready')).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('gives up at the deadline while Redis stays away', async () => {
    const client = new FakeClient();
    const started = Date.now();

    await expect(readyAgain(asRedis(client), started + 50)).resolves.toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('waits again after a later outage: the next waiter registers a fresh listener', async () => {
    const client = new FakeClient();
    const first = readyAgain(asRedis(client), Date.now() + 5_000);
    client.reconnect();
    await expect(first).resolves.toBe(true);

    client.status = 'reconnecting';
    const second = readyAgain(asRedis(client), Date.now() + 5_000);
    expect(client.listenerCount('ready')).toBe(1);
    client.reconnect();
    await expect(second).resolves.toBe(true);
  });
});
