import { type DynamicModule, Module, type Provider } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from './config/app-config';
import { ExplainController } from './http/explain.controller';
import { HealthController } from './http/health.controller';
import { JobsController } from './http/jobs.controller';
import { ModelsController } from './http/models.controller';
import { VisualizeController } from './http/visualize.controller';
import { JOB_RUNNER, type JobRunner } from './jobs/job-runner';
import type { Logger } from './logging/logger';
import { LOGGER } from './logging/logger.token';
import { MetricsController } from './metrics/metrics.controller';
import { METRICS, type ServiceMetrics } from './metrics/service-metrics';
import { ModelRepository } from './models/model-repository';

export interface AppServices {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly models: ModelRepository;
  readonly jobs: JobRunner;
  /** Prometheus metrics; when present, GET /metrics serves them. */
  readonly metrics?: ServiceMetrics;
  /** `probes`: only /healthz, /readyz and /metrics (ROLE=worker); `api` (default): every route. */
  readonly routes?: 'api' | 'probes';
}

type ControllerClass = NonNullable<DynamicModule['controllers']>[number];

/** A worker answers its probes and scrapes, but serves no API route. */
function controllersFor(services: AppServices, all: readonly ControllerClass[]): ControllerClass[] {
  const kept =
    services.routes === 'probes'
      ? all.filter((controller) => controller === HealthController)
      : [...all];
  return services.metrics === undefined ? kept : [...kept, MetricsController];
}

/** The HTTP application; the services are built outside Nest so that workers and tests share them. */
@Module({})
export class AppModule {
  static forServices(services: AppServices): DynamicModule {
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: services.config },
      { provide: LOGGER, useValue: services.logger },
      { provide: ModelRepository, useValue: services.models },
      { provide: JOB_RUNNER, useValue: services.jobs },
      { provide: METRICS, useValue: services.metrics },
    ];

    return {
      module: AppModule,
      controllers: controllersFor(services, [
        HealthController,
        ModelsController,
        JobsController,
        VisualizeController,
        ExplainController,
      ]),
      providers,
      exports: providers,
    };
  }
}
