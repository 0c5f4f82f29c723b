import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

import { Redis } from 'ioredis';

import { freePort } from './free-port';
import { SpawnedProcess } from './spawned.process';

export interface BenchRedis {
  readonly url: string;
  /** How the bench got it: its own server, or a database of an existing one. */
  readonly origin: string;
  /** A client on the bench's connection, for reading job records. */
  readonly client: Redis;
  /** used_cpu_user + used_cpu_sys from INFO cpu, seconds. */
  cpuSeconds(): Promise<number>;
  /** total_commands_processed from INFO stats (the bench's own INFO calls included). */
  commandsProcessed(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A Redis for the bench alone: its own redis-server on a free port, no
 * persistence, so that its CPU time (INFO cpu) is the bench's and nobody
 * else's queue is touched. Without redis-server, BENCH_REDIS_URL is used
 * (with a private key prefix); without either, queue mode is not available.
 */
export async function startBenchRedis(outDir: string): Promise<BenchRedis | string> {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.status !== 0) {
    const url = process.env.BENCH_REDIS_URL;
    return url === undefined
      ? 'not available: no redis-server on PATH and no BENCH_REDIS_URL'
      : connect(url, `BENCH_REDIS_URL (${url})`, undefined);
  }

  const port = await freePort();
  const dir = path.join(outDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const server = SpawnedProcess.start(
    'redis',
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { cwd: dir, env: process.env, logDir: path.join(outDir, 'logs') },
  );
  const version = /v=(\S+)/.exec(found.stdout)?.[1] ?? 'unknown';
  return connect(
    `redis://127.0.0.1:${port}`,
    `own redis-server ${version} on port ${port}, no persistence`,
    server,
  );
}

async function connect(
  url: string,
  origin: string,
  server: SpawnedProcess | undefined,
): Promise<BenchRedis | string> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => undefined);
  const answered = await pingWithin(client, 15_000);
  if (answered !== true) {
    client.disconnect();
    await server?.stop();
    return `not available: Redis at ${url} did not answer within 15 s (${answered})`;
  }

  return {
    url,
    origin,
    client,
    cpuSeconds: async () => {
      const info = await client.info('cpu');
      const field = (name: string): number =>
        Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
      return field('used_cpu_user') + field('used_cpu_sys');
    },
    commandsProcessed: async () => {
      const info = await client.info('stats');
      return Number(/^total_commands_processed:(\d+)/m.exec(info)?.[1] ?? 0);
    },
    close: async () => {
      client.disconnect();
      await server?.stop();
    },
  };
}

/** true once PING answers (a fresh server needs a moment), or the last error. */
async function pingWithin(client: Redis, timeoutMs: number): Promise<true | string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      await client.ping();
      return true;
    } catch (error) {
      last = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return last;
}
