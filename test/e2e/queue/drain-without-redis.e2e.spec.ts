/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import request from 'supertest';

import { eventually } from '../../support/queue/queue-test.env';
import { freePort, RedisServer } from '../../support/queue/redis-server';
import {
  killAllServices,
  type ServiceProcess,
  startService,
} from '../../support/queue/service.process';

const SHUTDOWN_TIMEOUT_MS = 20_000;
/** Far below SHUTDOWN_TIMEOUT_MS: a drain with nothing in flight must not wait for Redis to return. */
const PROMPT_STOP_MS = 8000;

function startRole(role: 'api' | 'worker', redisUrl: string): Promise<ServiceProcess> {
  return startService({
    ROLE: role,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `drain-without-redis-${process.pid}`,
    GRPC_PORT: '0',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  });
}

/** SIGTERM, then how the process ended and how long it took. */
async function terminate(
  service: ServiceProcess,
): Promise<{ code: number | NodeJS.Signals; ms: number }> {
  const started = Date.now();
  service.child.kill('SIGTERM');
  const code = await Promise.race([
    service.exited,
    new Promise<'still running'>((resolve) =>
      setTimeout(() => resolve('still running'), SHUTDOWN_TIMEOUT_MS + 5000),
    ),
  ]);
  return { code: code === 'still running' ? 'SIGKILL' : code, ms: Date.now() - started };
}

const messages = (service: ServiceProcess): string[] =>
  service.output.map((line) => {
    try {
      return (JSON.parse(line) as { msg?: string }).msg ?? '';
    } catch {
      return '';
    }
  });

/**
 * The API and a worker (src/main.ts in separate processes) stopped with
 * SIGTERM while Redis cannot be reached and nothing is in flight: each
 * drains at once and exits 0, rather than waiting for Redis until
 * SHUTDOWN_TIMEOUT_MS and exiting as a failure.
 */
describe('SIGTERM while Redis is unreachable', () => {
  afterAll(() => killAllServices());

  it('should stop the API and a worker promptly when Redis was never reachable', async () => {
    const closedPort = await freePort();
    const url = `redis://127.0.0.1:${closedPort}`;
    const [api, worker] = await Promise.all([startRole('api', url), startRole('worker', url)]);

    const [apiEnd, workerEnd] = await Promise.all([terminate(api), terminate(worker)]);

    for (const [service, end] of [
      [api, apiEnd],
      [worker, workerEnd],
    ] as const) {
      expect({ code: end.code, output: end.code === 0 ? '' : service.output.join('\n') }).toEqual({
        code: 0,
        output: '',
      });
      expect(end.ms).toBeLessThan(PROMPT_STOP_MS);
      expect(messages(service)).toContain('stopped');
    }
  }, 90_000);

  it('should stop them promptly when Redis went away after they had connected', async () => {
    const redis = await RedisServer.start();
    try {
      const [api, worker] = await Promise.all([
        startRole('api', redis.url),
        startRole('worker', redis.url),
      ]);
      const apiBase = `http://127.0.0.1:${api.httpPort}`;
      const workerBase = `http://127.0.0.1:${worker.httpPort}`;
      const ready = async (base: string): Promise<boolean> =>
        (await request(base).get('/readyz')).status === 200;
      expect(await eventually(() => ready(apiBase), 10_000)).toBe(true);
      expect(await eventually(() => ready(workerBase), 10_000)).toBe(true);

      await redis.stop();
      expect(await eventually(async () => !(await ready(apiBase)), 10_000)).toBe(true);

      const [apiEnd, workerEnd] = await Promise.all([terminate(api), terminate(worker)]);
      expect(apiEnd.code).toBe(0);
      expect(workerEnd.code).toBe(0);
      expect(apiEnd.ms).toBeLessThan(PROMPT_STOP_MS);
      expect(workerEnd.ms).toBeLessThan(PROMPT_STOP_MS);
    } finally {
      await redis.destroy();
    }
  }, 90_000);
});
