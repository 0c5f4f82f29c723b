import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JOB_RUNNER, type JobRunner } from '../jobs/job-runner';
import { executionProviderReport } from '../models/execution-provider.report';
import { ModelRepository } from '../models/model-repository';

@Controller()
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ModelRepository) private readonly models: ModelRepository,
    @Inject(JOB_RUNNER) private readonly jobs: JobRunner,
  ) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  /** Readiness: the default model loaded, and Redis reachable when it is configured. */
  @Get('readyz')
  async ready(@Res() reply: FastifyReply) {
    const entries = this.models.list();
    const ready = entries.filter((entry) => entry.status === 'ready');
    const redis =
      this.config.redisUrl === undefined
        ? 'not configured'
        : (await this.jobs.healthy())
          ? 'ok'
          : 'unreachable';
    const defaultModelReady = ready.some((entry) => entry.name === this.config.defaultModel);
    const isReady = defaultModelReady && redis !== 'unreachable';

    return reply.status(isReady ? 200 : 503).send({
      status: isReady ? 'ready' : 'not ready',
      defaultModel: { name: this.config.defaultModel, ready: defaultModelReady },
      role: this.config.role,
      redis,
      models: entries.map((entry) =>
        entry.status === 'ready'
          ? {
              name: entry.name,
              status: entry.status,
              ...executionProviderReport(entry.descriptor),
            }
          : { name: entry.name, status: entry.status, code: entry.code, reason: entry.reason },
      ),
    });
  }
}
