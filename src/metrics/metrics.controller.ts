import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { METRICS, type ServiceMetrics } from './service-metrics';

@Controller()
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: ServiceMetrics) {}

  /** Prometheus text exposition. */
  @Get('metrics')
  async scrape(@Res() reply: FastifyReply) {
    const text = await this.metrics.text();
    return reply.status(200).header('Content-Type', this.metrics.contentType).send(text);
  }
}
