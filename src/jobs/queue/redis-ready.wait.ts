import { setTimeout as sleep } from 'node:timers/promises';

import type { Redis } from 'ioredis';

/** Pause before trying again on a Redis that is connected but refused or did not answer (full, loading, frozen). */
const RETRY_PAUSE_MS = 100;

/**
 * One pending 'ready' per client, shared by every waiter: during an outage a
 * worker may have dozens of writes waiting, and one listener each would pass
 * Node's limit of ten (MaxListenersExceededWarning) for no leak.
 */
const nextReady = new WeakMap<Redis, Promise<void>>();

function readyEvent(client: Redis): Promise<void> {
  let pending = nextReady.get(client);
  if (pending === undefined) {
    pending = new Promise<void>((resolve) => {
      client.once('ready', () => {
        nextReady.delete(client);
        resolve();
      });
    });
    nextReady.set(client, pending);
  }
  return pending;
}

/**
 * Waits until the client has its connection back (ioredis reconnects by
 * itself) or the deadline passes; true when there is time left to try again.
 */
export async function readyAgain(client: Redis, deadline: number): Promise<boolean> {
  if (client.status !== 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    });
    await Promise.race([readyEvent(client), timeout]);
    clearTimeout(timer);
  }
  await sleep(Math.max(0, Math.min(RETRY_PAUSE_MS, deadline - Date.now())));
  return client.status === 'ready' && Date.now() < deadline;
}
