import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule, type AppServices } from '../app.module';
import { clientErrorHandler } from './client-error.handler';
import { DomainErrorFilter } from './domain-error.filter';
import { answerFrameworkError, MAX_PATH_PARAMETER_LENGTH } from './framework-errors';
import { HttpConnections } from './http-connections';
import { multipartLimits } from './upload.reader';

/** Raw image bodies: any image/* type, or bytes of unknown type. */
const RAW_IMAGE_TYPES: readonly (string | RegExp)[] = [/^image\/.*/, 'application/octet-stream'];

/** The longest Node waits between two checks of its request timeouts (it checks every 30 s by default). */
const MAX_TIMEOUT_CHECK_MS = 1000;

const connectionsByApp = new WeakMap<NestFastifyApplication, HttpConnections>();

/** The connection tracking of an application made by createHttpApp, for its SIGTERM drain. */
export function connectionsOf(app: NestFastifyApplication): HttpConnections | undefined {
  return connectionsByApp.get(app);
}

/**
 * Builds the Fastify-based Nest application with upload limits applied.
 * A client has HTTP_REQUEST_BODY_TIMEOUT_MS to send a whole request (Node's
 * headersTimeout and requestTimeout; they bound the reading of a request,
 * not the wait for its job); past it, and for bytes Node cannot read as
 * HTTP, the answer is the documented error body and the connection closes.
 * Signals are not Nest's business: src/main.ts drains on SIGTERM.
 */
export async function createHttpApp(services: AppServices): Promise<NestFastifyApplication> {
  const { config } = services;
  const limit = config.maxUploadBytes;
  const bodyTimeoutMs = config.requestBodyTimeoutMs;
  const connections = new HttpConnections({ bodyTimeoutMs });
  const adapter = new FastifyAdapter({
    bodyLimit: limit,
    logger: false,
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    frameworkErrors: answerFrameworkError,
    requestTimeout: bodyTimeoutMs,
    http: {
      headersTimeout: bodyTimeoutMs,
      requestTimeout: bodyTimeoutMs,
      connectionsCheckingInterval: Math.min(MAX_TIMEOUT_CHECK_MS, bodyTimeoutMs),
    },
    clientErrorHandler: clientErrorHandler({
      bodyTimeoutMs,
      answering: (socket) => connections.answering(socket),
    }),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forServices(services),
    adapter,
    // No JSON or form-urlencoded parsers: the endpoints read multipart forms and raw images only.
    { logger: false, bodyParser: false },
  );

  await app.register(multipart, { limits: multipartLimits(limit, config.maxBatchImages) });

  const fastify = app.getHttpAdapter().getInstance();
  connections.install(fastify);
  connectionsByApp.set(app, connections);
  // No endpoint reads JSON or text: without their parsers, such a body is refused as
  // 415 UNSUPPORTED_MEDIA_TYPE before parsing, rather than as a JSON syntax error or,
  // for image bytes sent as text/plain, as a Content-Length mismatch.
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  for (const type of RAW_IMAGE_TYPES) {
    fastify.addContentTypeParser(
      type,
      { parseAs: 'buffer', bodyLimit: limit },
      (_request, body, done) => {
        done(null, body);
      },
    );
  }

  app.useGlobalFilters(new DomainErrorFilter(services.logger, config.maxUploadBytes));
  await app.init();
  return app;
}
