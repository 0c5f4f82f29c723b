import type { FastifyInstance } from 'fastify';

import type { ServiceMetrics } from './service-metrics';

/** Counts every answered request by its route pattern (never the raw URL, which would explode the labels). */
export function installHttpMetrics(fastify: FastifyInstance, metrics: ServiceMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
    done();
  });
}
