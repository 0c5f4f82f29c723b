import { once } from 'node:events';

import { Redis } from 'ioredis';

import { createCommandClient } from '../../../src/jobs/queue/redis-client.factory';
import { sleep } from '../../support/queue/queue-test.env';
import { RedisServer } from '../../support/queue/redis-server';
import { silentLogger } from '../../support/silent-logger';

describe('createCommandClient (private redis-server)', () => {
  let server: RedisServer;
  let admin: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    admin.disconnect();
    await server.destroy();
  });

  it('should fail a command in flight when its connection drops, not send it again on the next one', async () => {
    const client = createCommandClient({ url: server.url, name: 'resend-test' }, silentLogger);
    await once(client, 'ready');
    const id = await client.client('ID');

    // the write is held by the pause, so it is still unanswered when its connection is killed;
    // sent again on the next connection, a payload Redis refuses by closing it would loop for ever
    await admin.client('PAUSE', 5000, 'WRITE');
    const write = client.set('staged', 'bytes').then(
      () => 'written',
      (error: unknown) => (error as Error).message,
    );
    await sleep(100);
    await admin.client('KILL', 'ID', String(id));
    await admin.client('UNPAUSE');

    expect(await write).toBe('Command aborted due to connection close');
    expect(await admin.get('staged')).toBeNull();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });
});
