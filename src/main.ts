import 'reflect-metadata';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createProcessServices, type ServiceOptions } from './bootstrap/services';
import { loadConfig, type AppConfig } from './config/app-config';
import { ConfigurationError } from './errors/configuration.error';
import { startGrpcServer } from './grpc/grpc-server';
import { createHttpApp } from './http/http-server';
import { createLogger, type Logger } from './logging/logger';
import { installHttpMetrics } from './metrics/http-metrics.hook';

export interface RunningProcess {
  readonly httpPort: number;
  readonly grpcPort: number | undefined;
  /** The graceful stop of SIGTERM: stop taking work, drain the jobs in flight, close the connections. */
  stop(): Promise<void>;
}

function readConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`cnn-lens: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * Starts what ROLE asks for: HTTP (every role; a worker serves only its
 * probes and /metrics), gRPC (api, all), and a queue worker (worker, all
 * with REDIS_URL). Without REDIS_URL, ROLE=all runs the jobs in-process.
 */
export async function startProcess(
  config: AppConfig,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<RunningProcess> {
  const { services, worker, servesApi } = await createProcessServices(config, logger, options);
  const app = await createHttpApp(services);
  if (services.metrics !== undefined) {
    installHttpMetrics(app.getHttpAdapter().getInstance(), services.metrics);
  }

  await app.listen({ port: config.port, host: config.host });
  const grpc = servesApi
    ? await startGrpcServer(services, config.grpcPort, config.host)
    : undefined;
  worker?.start();

  const httpPort = listeningPort(app, config.port);
  logger.info(
    {
      port: httpPort,
      grpcPort: grpc?.port,
      role: config.role,
      mode: config.redisUrl === undefined ? 'in-process' : 'queue',
      worker: worker !== undefined,
      models: services.models.readyCount(),
    },
    'cnn-lens listening',
  );

  return {
    httpPort,
    grpcPort: grpc?.port,
    stop: async () => {
      // The worker stops taking jobs at once, while the servers drain their calls: a call still
      // waiting for a job must not let this process start new ones. Then the job runner closes.
      const graceMs = serverGraceMs(config.queue.shutdownTimeoutMs);
      await Promise.all([worker?.close(), grpc?.close(graceMs), closeHttp(app, graceMs)]);
      await services.jobs.close();
    },
  };
}

/** Time kept after the servers' grace, before SHUTDOWN_TIMEOUT_MS forces the exit: closing and logging. */
const STOP_RESERVE_MS = 5000;

/**
 * How long HTTP and gRPC calls in flight may take to finish after SIGTERM:
 * less than SHUTDOWN_TIMEOUT_MS, so that the servers are closed (their
 * remaining calls cut) and the connections released before the forced exit.
 */
export function serverGraceMs(shutdownTimeoutMs: number): number {
  return shutdownTimeoutMs - Math.min(STOP_RESERVE_MS, Math.floor(shutdownTimeoutMs / 4));
}

/** Fastify's close waits for every request in flight; past graceMs the remaining ones are cut. */
async function closeHttp(app: NestFastifyApplication, graceMs: number): Promise<void> {
  const server = app.getHttpAdapter().getInstance().server;
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

function listeningPort(app: NestFastifyApplication, configured: number): number {
  const address = app.getHttpServer().address();
  return typeof address === 'object' && address !== null ? address.port : configured;
}

/**
 * SIGTERM and SIGINT drain once; past SHUTDOWN_TIMEOUT_MS the process exits
 * anyway. Later signals are ignored: Nest's own shutdown hook re-raises the
 * signal after closing the HTTP app, which must not cut the drain short.
 */
export function stopOnSignals(running: RunningProcess, config: AppConfig, logger: Logger): void {
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping: draining the jobs in flight');
    setTimeout(() => {
      logger.error(
        { timeoutMs: config.queue.shutdownTimeoutMs },
        'drain did not finish in time; exiting',
      );
      process.exit(1);
    }, config.queue.shutdownTimeoutMs).unref();

    running.stop().then(
      () => {
        logger.info('stopped');
        exitAfterLogs(logger, 0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        exitAfterLogs(logger, 1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function exitAfterLogs(logger: Logger, code: number): void {
  logger.flush(() => process.exit(code));
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const running = await startProcess(config, logger);
  stopOnSignals(running, config, logger);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // Settings found wrong while starting (an unreadable MODEL_REPOSITORY, a required provider missing).
    if (error instanceof ConfigurationError) {
      process.stderr.write(`cnn-lens: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`cnn-lens failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
