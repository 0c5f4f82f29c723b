import { closeUnlessRedisAway } from '../../../src/jobs/queue/close-unless-redis-away';

const never = (): Promise<void> => new Promise<void>(() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('closeUnlessRedisAway', () => {
  it('should wait for the close while Redis answers', async () => {
    const connection = { status: 'ready' };
    const closing = sleep(150);

    const started = Date.now();
    expect(await closeUnlessRedisAway(closing, connection, { pollMs: 10 })).toBe('closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('should stop waiting for a close that cannot end once the connection is down', async () => {
    const connection = { status: 'ready' };
    setTimeout(() => (connection.status = 'reconnecting'), 100);

    const started = Date.now();
    expect(await closeUnlessRedisAway(never(), connection, { pollMs: 10 })).toBe('abandoned');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('should keep waiting while a job still runs, even with Redis away', async () => {
    const connection = { status: 'connecting' };
    let running = 1;
    setTimeout(() => (running = 0), 200);

    const started = Date.now();
    const outcome = await closeUnlessRedisAway(never(), connection, {
      idle: () => running === 0,
      pollMs: 10,
    });
    expect(outcome).toBe('abandoned');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('should count a close that fails as ended', async () => {
    const closing = Promise.reject(new Error('Connection is closed.'));
    expect(await closeUnlessRedisAway(closing, { status: 'ready' }, { pollMs: 10 })).toBe('closed');
  });
});
