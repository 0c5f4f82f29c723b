import type { HealthImplementation } from 'grpc-health-check';

import type { AppServices } from '../app.module';

/** How often the health status is read again; a balancer sees a change within about this long. */
const REFRESH_MS = 1000;

type ServingStatus = 'SERVING' | 'NOT_SERVING';

/**
 * The readiness rule of GET /readyz: the default model is loaded, and Redis
 * answers when it is configured.
 */
export async function isReady(services: AppServices): Promise<boolean> {
  const { config, models, jobs } = services;
  const defaultModelReady = models
    .list()
    .some((entry) => entry.status === 'ready' && entry.name === config.defaultModel);

  if (!defaultModelReady) {
    return false;
  }
  return config.redisUrl === undefined || (await jobs.healthy());
}

/**
 * Keeps grpc.health.v1 in step with readiness: NOT_SERVING while Redis is
 * unreachable or the default model is not loaded, as /readyz answers 503,
 * and NOT_SERVING for good once the server is stopping.
 */
export class GrpcHealthReporter {
  private timer: NodeJS.Timeout | undefined;
  private current: ServingStatus | undefined;
  private stopped = false;
  private refreshing = false;

  constructor(
    private readonly health: HealthImplementation,
    private readonly services: readonly string[],
    private readonly ready: () => Promise<boolean>,
  ) {}

  /** Sets the first status before the server takes calls, then refreshes it every second. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    // the health refresh must not keep the process alive
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.set('NOT_SERVING');
  }

  /** One reading at a time: a ping to a Redis that is gone takes up to REDIS_COMMAND_TIMEOUT_MS. */
  private async refresh(): Promise<void> {
    if (this.refreshing) {
      return;
    }
    this.refreshing = true;
    try {
      const ready = await this.ready().catch(() => false);
      if (!this.stopped) {
        this.set(ready ? 'SERVING' : 'NOT_SERVING');
      }
    } finally {
      this.refreshing = false;
    }
  }

  /** Only a change is announced: every setStatus writes to each Watch stream. */
  private set(status: ServingStatus): void {
    if (status === this.current) {
      return;
    }
    this.current = status;
    for (const service of this.services) {
      this.health.setStatus(service, status);
    }
  }
}
