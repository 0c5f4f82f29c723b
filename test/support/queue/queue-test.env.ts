import { randomUUID } from 'node:crypto';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type request from 'supertest';

import type { AppServices } from '../../../src/app.module';
import {
  createInlineServices,
  createProcessServices,
  type ProcessServices,
  type ServiceOptions,
} from '../../../src/bootstrap/services';
import { loadConfig } from '../../../src/config/app-config';
import { createHttpApp } from '../../../src/http/http-server';
import { QUEUE_NAME } from '../../../src/jobs/queue/queue.keys';
import { installHttpMetrics } from '../../../src/metrics/http-metrics.hook';
import { REPO_ROOT } from '../http-app';
import { silentLogger } from '../silent-logger';

/** The shared Redis of the test machine; each run gets its own key prefix, so runs never meet. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(name: string): string {
  return `cnn-lens-test:${name}:${randomUUID().slice(0, 8)}`;
}

export interface QueueTestApp {
  readonly app: NestFastifyApplication;
  readonly process: ProcessServices;
  close(): Promise<void>;
}

/** The HTTP application in queue mode, in this process: ROLE=api (enqueue only) or all (with a worker). */
export async function startQueueApp(
  env: NodeJS.ProcessEnv,
  options: ServiceOptions = {},
): Promise<QueueTestApp> {
  const config = loadConfig({
    MODEL_REPOSITORY: path.join(REPO_ROOT, 'models'),
    ORT_INTRA_OP_THREADS: '1',
    REDIS_URL: TEST_REDIS_URL,
    ...env,
  });
  const processServices = await createProcessServices(config, silentLogger, options);
  const app = await createHttpApp(processServices.services);
  if (processServices.services.metrics !== undefined) {
    installHttpMetrics(app.getHttpAdapter().getInstance(), processServices.services.metrics);
  }
  await app.getHttpAdapter().getInstance().ready();
  processServices.worker?.start();
  await readyWithin(app, READY_WAIT_MS);

  return {
    app,
    process: processServices,
    close: async () => {
      await processServices.worker?.close();
      await app.close();
      await processServices.services.jobs.close();
    },
  };
}

/** Long enough for the Redis connections of a loaded machine; a test about outages starts with Redis away. */
const READY_WAIT_MS = 10_000;

/**
 * Waits until /readyz answers 200 (the Redis connections are up), as a
 * readiness probe would before sending traffic; gives up quietly after
 * `timeoutMs` for tests that start with Redis away on purpose.
 */
async function readyWithin(app: NestFastifyApplication, timeoutMs: number): Promise<void> {
  const server = app.getHttpAdapter().getInstance();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await server.inject({ method: 'GET', url: '/readyz' })).statusCode === 200) {
      return;
    }
    await sleep(50);
  }
}

export interface PrivateRedisApp {
  readonly app: QueueTestApp;
  /** A BullMQ handle on the application's queue; the caller closes it. */
  readonly queue: Queue;
}

/**
 * The application in queue mode on a private redis-server (redis-server.ts)
 * under `prefix`, with a BullMQ handle on its queue. Redis commands time out
 * after 500 ms, so a stopped Redis shows at once.
 */
export async function startOnPrivateRedis(
  redisUrl: string,
  prefix: string,
  env: NodeJS.ProcessEnv,
  options: ServiceOptions = {},
): Promise<PrivateRedisApp> {
  const app = await startQueueApp(
    { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: '500', ...env },
    options,
  );

  return { app, queue: inspectQueue(prefix, redisUrl) };
}

export interface InlineTestApp {
  readonly app: NestFastifyApplication;
  readonly services: AppServices;
  close(): Promise<void>;
}

/** The HTTP application in the embedded mode (no REDIS_URL), with /metrics and handler wrapping. */
export async function startInlineApp(
  env: NodeJS.ProcessEnv,
  options: ServiceOptions = {},
): Promise<InlineTestApp> {
  const config = loadConfig({
    MODEL_REPOSITORY: path.join(REPO_ROOT, 'models'),
    ORT_INTRA_OP_THREADS: '1',
    ...env,
  });
  const services = await createInlineServices(config, silentLogger, options);
  const app = await createHttpApp(services);
  if (services.metrics !== undefined) {
    installHttpMetrics(app.getHttpAdapter().getInstance(), services.metrics);
  }
  await app.getHttpAdapter().getInstance().ready();

  return {
    app,
    services,
    close: async () => {
      await app.close();
      await services.jobs.close();
    },
  };
}

/**
 * Sends a request and hangs up after `afterMs`, as a client that gives up
 * does; resolves once the connection is closed.
 */
export async function hangUpAfter(test: request.Test, afterMs: number): Promise<void> {
  const ended = new Promise<void>((resolve) => {
    test.end(() => resolve());
  });
  await sleep(afterMs);
  test.abort();
  await Promise.race([ended, sleep(200)]);
}

/** A BullMQ handle on the test queue, to look at jobs the way an operator would. */
export function inspectQueue(prefix: string, url = TEST_REDIS_URL): Queue {
  const { hostname, port, pathname } = new URL(url);
  const queue = new Queue(QUEUE_NAME, {
    // the database of the URL too (redis://host:port/5), as the service reads it
    connection: { host: hostname, port: Number(port || 6379), db: Number(pathname.slice(1) || 0) },
    prefix,
  });
  queue.on('error', () => undefined);
  return queue;
}

/** Deletes every key of a test prefix. */
export async function dropPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) {
    await redis.del(...keys);
  }
  redis.disconnect();
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until check() is true or timeoutMs passes; returns the last value of check(). */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  stepMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) {
      return true;
    }
    await sleep(stepMs);
  }
  return check();
}
