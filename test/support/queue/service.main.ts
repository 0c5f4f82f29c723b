/**
 * A cnn-lens process for the multi-process tests: src/main.ts's startProcess
 * and signal handling, with the handlers instrumented (instrumented.handlers.ts).
 * Run with `node -r @swc-node/register test/support/queue/service.main.ts`.
 */
import 'reflect-metadata';

import { Redis } from 'ioredis';

import { loadConfig } from '../../../src/config/app-config';
import { createLogger } from '../../../src/logging/logger';
import { startProcess, stopOnSignals } from '../../../src/main';
import { instrumentHandlers, instrumentKeys } from './instrumented.handlers';

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const delayMs = Number(process.env.TEST_JOB_DELAY_MS ?? '0');

  const running = await startProcess(config, logger, {
    wrapHandlers: (handlers) =>
      instrumentHandlers(handlers, {
        redis: new Redis(config.redisUrl ?? '', { maxRetriesPerRequest: 1 }),
        delayMs,
        ...instrumentKeys(config.queue.prefix),
      }),
  });
  stopOnSignals(running, config, logger);
}

run().catch((error: unknown) => {
  process.stderr.write(
    `test service failed to start: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});
