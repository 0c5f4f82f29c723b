import 'reflect-metadata';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createProcessServices, type ServiceOptions } from './bootstrap/services';
import { loadConfig, settingWarnings, type AppConfig } from './config/app-config';
import { listenProblem } from './config/listen-address';
import { ConfigurationError } from './errors/configuration.error';
import { startGrpcServer } from './grpc/grpc-server';
import { connectionsOf, createHttpApp } from './http/http-server';
import type { JobRunner } from './jobs/job-runner';
import { createLogger, type Logger } from './logging/logger';
import { installHttpMetrics } from './metrics/http-metrics.hook';

/** What a drain still waits for, in its log lines. */
export interface DrainState {
  readonly httpConnections: number;
  readonly httpRequests: number;
  /** HTTP requests whose body is still arriving. */
  readonly httpReceiving: number;
  readonly grpcCalls: number;
  /** Jobs this process runs or holds: its queue worker's, or the in-process runner's. */
  readonly jobs: number;
}

export interface RunningProcess {
  readonly httpPort: number;
  readonly grpcPort: number | undefined;
  /** The graceful stop of SIGTERM: stop taking work, drain the jobs in flight, close the connections. */
  stop(): Promise<void>;
  drainState(): Promise<DrainState>;
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

  await listen(app, config);
  const grpc = servesApi
    ? await startGrpcServer(services, config.grpcPort, config.host)
    : undefined;
  worker?.start();
  for (const warning of settingWarnings(config)) {
    logger.warn({ role: config.role }, warning);
  }

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

  const connections = connectionsOf(app);
  return {
    httpPort,
    grpcPort: grpc?.port,
    stop: async () => {
      // The worker stops taking jobs at once, while the servers drain their calls: a call still
      // waiting for a job must not let this process start new ones. Then the job runner closes.
      const graceMs = serverGraceMs(config.queue.shutdownTimeoutMs);
      const closeHttp = (): Promise<void> =>
        connections === undefined
          ? app.close()
          : connections.drain(() => app.close(), graceMs, logger);
      await Promise.all([worker?.close(), grpc?.close(graceMs), closeHttp()]);
      await services.jobs.close();
    },
    drainState: async () => {
      const http = connections?.state() ?? { connections: 0, requests: 0, receiving: 0 };
      return {
        httpConnections: http.connections,
        httpRequests: http.requests,
        httpReceiving: http.receiving,
        grpcCalls: grpc?.calls() ?? 0,
        jobs:
          worker?.running() ?? (config.redisUrl === undefined ? await localJobs(services.jobs) : 0),
      };
    },
  };
}

/** HTTP's listen, with an address that cannot be taken reported as a wrong PORT or HOST. */
async function listen(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    throw listenProblem(error, { variable: 'PORT', host: config.host, port: config.port }) ?? error;
  }
}

/** The in-process runner's jobs not finished yet; it lets every one of them finish on SIGTERM. */
async function localJobs(jobs: JobRunner): Promise<number> {
  const depth = await jobs.depth().catch(() => undefined);
  return depth === undefined ? 0 : depth.waiting + depth.active + depth.delayed;
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

function listeningPort(app: NestFastifyApplication, configured: number): number {
  const address = app.getHttpServer().address();
  return typeof address === 'object' && address !== null ? address.port : configured;
}

/** How often a drain that is still waiting says for what. */
const DRAIN_REPORT_MS = 5000;

const drainIsEmpty = (state: DrainState): boolean =>
  state.httpConnections + state.grpcCalls + state.jobs === 0;

/**
 * SIGTERM and SIGINT drain once, in every role, and end with "stopped" (or
 * "error while stopping"); past SHUTDOWN_TIMEOUT_MS the process exits with
 * an error naming what was left. While it waits, the drain says for what
 * (connections, calls, jobs) at once and every DRAIN_REPORT_MS. Later
 * signals are ignored.
 */
export function stopOnSignals(running: RunningProcess, config: AppConfig, logger: Logger): void {
  let stopping = false;
  const timeoutMs = config.queue.shutdownTimeoutMs;
  const stateOrNothing = (): Promise<DrainState | undefined> =>
    running.drainState().catch(() => undefined);

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    const started = Date.now();

    // Not unref'd: the process stays until the drain ends or this fires, and says which.
    const deadline = setTimeout(() => {
      void stateOrNothing().then((left) => {
        logger.error(
          { timeoutMs, ...left },
          left !== undefined && drainIsEmpty(left)
            ? 'stop did not finish within SHUTDOWN_TIMEOUT_MS: nothing was in flight, closing the servers and connections took longer; exiting'
            : 'drain did not finish within SHUTDOWN_TIMEOUT_MS; exiting',
        );
        exitAfterLogs(logger, 1);
      });
    }, timeoutMs);
    const report = setInterval(() => {
      void stateOrNothing().then((left) => {
        if (left !== undefined && !drainIsEmpty(left)) {
          logger.info({ ...left, waitedMs: Date.now() - started }, 'draining: still waiting');
        }
      });
    }, DRAIN_REPORT_MS);
    report.unref();

    void stateOrNothing()
      .then((left) =>
        logger.info({ signal, timeoutMs, ...left }, 'stopping: draining the work in flight'),
      )
      .then(() => running.stop())
      .then(
        () => {
          clearInterval(report);
          clearTimeout(deadline);
          logger.info({ ms: Date.now() - started }, 'stopped');
          exitAfterLogs(logger, 0);
        },
        (error: unknown) => {
          clearInterval(report);
          clearTimeout(deadline);
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
