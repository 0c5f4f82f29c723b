import * as path from 'node:path';

import type { AppServices } from '../app.module';
import type { AppConfig } from '../config/app-config';
import type { BatchLimits } from '../imaging/batch-pixels';
import { InlineJobRunner } from '../jobs/inline-job.runner';
import { JobExecutor } from '../jobs/job.executor';
import type { JobHandler } from '../jobs/job-handler';
import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import type { JobKind } from '../jobs/job.types';
import { MemoryJobStore } from '../jobs/memory-job.store';
import { createExplainHandler } from '../jobs/handlers/explain.handler';
import { FeatureMapsHandler } from '../jobs/handlers/feature-maps.handler';
import { HistogramsHandler } from '../jobs/handlers/histograms.handler';
import { KernelsHandler } from '../jobs/handlers/kernels.handler';
import { PredictHandler } from '../jobs/handlers/predict.handler';
import { PredictionImageHandler } from '../jobs/handlers/prediction-image.handler';
import { createQueueRunner, createQueueWorker } from '../jobs/queue/queue-mode.factory';
import { UploadCheckedJobRunner } from '../jobs/upload-checked.runner';
import { workerName } from '../jobs/worker-name';
import type { QueueJobWorker } from '../jobs/queue/queue-job.worker';
import type { Logger } from '../logging/logger';
import { measureHandlers } from '../metrics/measured-job.handler';
import { ServiceMetrics } from '../metrics/service-metrics';
import { checkDefaultModel } from '../models/default-model.check';
import { ModelRepository } from '../models/model-repository';
import { processSessionFactory } from '../runtime/session-factory';

/**
 * Loads the model repository and checks that DEFAULT_MODEL is one of its
 * models; shared by the API and the workers.
 */
export async function createModelRepository(
  config: AppConfig,
  logger: Logger,
): Promise<ModelRepository> {
  const sessions = processSessionFactory(config);
  if (config.cudaMemoryLimitBytes !== undefined) {
    // onnxruntime-node 1.30's binding forwards only deviceId to the CUDA provider.
    logger.warn(
      { variable: 'ORT_CUDA_MEMORY_LIMIT_MB' },
      'ORT_CUDA_MEMORY_LIMIT_MB is accepted but ignored: onnxruntime-node 1.30 gives the CUDA provider only its device id',
    );
  }
  const models = new ModelRepository(path.resolve(config.modelRepository), sessions, logger);
  await models.loadAll();
  checkDefaultModel(models, config.defaultModel);
  return models;
}

/** What every image of a job is held to, by the API before queueing and by the handlers. */
function uploadLimits(config: AppConfig): BatchLimits {
  return { maxPixels: config.maxImagePixels, maxRequestPixels: config.maxRequestPixels };
}

/** One handler per job kind; the same table serves in-process jobs and queue workers. */
export function createJobHandlers(
  config: AppConfig,
  models: ModelRepository,
): ReadonlyMap<JobKind, JobHandler> {
  const limits = uploadLimits(config);
  return new Map<JobKind, JobHandler>([
    ['predict', new PredictHandler(models, limits)],
    ['feature-maps', new FeatureMapsHandler(models, limits, processSessionFactory(config))],
    ['kernels', new KernelsHandler(models)],
    ['histograms', new HistogramsHandler(models)],
    ['prediction-image', new PredictionImageHandler(models, limits)],
    ['explain', createExplainHandler(config, models)],
  ]);
}

export interface ServiceOptions {
  /** Replaces the handler table after it is built; tests use it for slow or counting handlers. */
  readonly wrapHandlers?: (handlers: JobHandlerRegistry) => JobHandlerRegistry;
}

/** What one process runs: the services behind HTTP and gRPC, and a queue worker when its role has one. */
export interface ProcessServices {
  readonly services: AppServices;
  readonly worker: QueueJobWorker | undefined;
  /** False for ROLE=worker: probes and metrics only, no REST or gRPC API. */
  readonly servesApi: boolean;
}

/** The embedded default: models, handlers and an in-process job runner. */
export async function createInlineServices(
  config: AppConfig,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<AppServices> {
  const models = await createModelRepository(config, logger);
  const metrics = new ServiceMetrics();
  const handlers = handlerTable(config, models, metrics, options);
  const store = new MemoryJobStore({
    inputTtlSeconds: config.queue.inputTtlSeconds,
    resultTtlSeconds: config.jobResultTtlSeconds,
  });
  const executor = new JobExecutor(handlers, store, metrics, logger, {
    maxResponseBytes: config.maxResponseBytes,
  });
  const jobs = new InlineJobRunner(
    executor,
    store,
    {
      concurrency: config.workerConcurrency,
      attempts: config.queue.attempts,
      backoffMs: config.queue.backoffMs,
      resultTtlSeconds: config.jobResultTtlSeconds,
      maxDepth: config.queueMaxDepth,
      workerName: workerName(config.queue.workerName),
    },
    logger,
  );
  metrics.observeQueue(jobs);
  return {
    config,
    logger,
    models,
    jobs: new UploadCheckedJobRunner(jobs, uploadLimits(config)),
    metrics,
  };
}

/**
 * Builds what ROLE and REDIS_URL ask for: in-process jobs (ROLE=all, no
 * Redis); or queue mode, where the API enqueues (api, all) and a BullMQ
 * worker runs the same handlers (worker, all).
 */
export async function createProcessServices(
  config: AppConfig,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<ProcessServices> {
  if (config.redisUrl === undefined) {
    return {
      services: await createInlineServices(config, logger, options),
      worker: undefined,
      servesApi: true,
    };
  }

  const models = await createModelRepository(config, logger);
  const jobs = createQueueRunner(config, logger);
  const metrics = new ServiceMetrics(jobs);
  const runsJobs = config.role === 'worker' || config.role === 'all';
  const worker = runsJobs
    ? createQueueWorker(config, handlerTable(config, models, metrics, options), metrics, logger)
    : undefined;
  const servesApi = config.role !== 'worker';

  return {
    services: {
      config,
      logger,
      models,
      jobs: new UploadCheckedJobRunner(jobs, uploadLimits(config)),
      metrics,
      routes: servesApi ? 'api' : 'probes',
    },
    worker,
    servesApi,
  };
}

function handlerTable(
  config: AppConfig,
  models: ModelRepository,
  metrics: ServiceMetrics,
  options: ServiceOptions,
): JobHandlerRegistry {
  const handlers = createJobHandlers(config, models);
  return measureHandlers(options.wrapHandlers?.(handlers) ?? handlers, metrics);
}
