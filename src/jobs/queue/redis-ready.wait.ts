import { setTimeout as sleep } from 'node:timers/promises';

import type { Redis } from 'ioredis';

/** Pause before trying again on a Redis that is connected but refused or did not answer (full, loading, frozen). */
const RETRY_PAUSE_MS = 100;

/**
 * Waits until the client has its connection back (ioredis reconnects by
 * itself) or the deadline passes; true when there is time left to try again.
 */
export async function readyAgain(client: Redis, deadline: number): Promise<boolean> {
  if (client.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      client.once('ready', done);
    });
  }
  await sleep(Math.max(0, Math.min(RETRY_PAUSE_MS, deadline - Date.now())));
  return client.status === 'ready' && Date.now() < deadline;
}
