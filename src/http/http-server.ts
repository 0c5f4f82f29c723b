import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule, type AppServices } from '../app.module';
import { DomainErrorFilter } from './domain-error.filter';

/** Raw image bodies: any image/* type, or bytes of unknown type. */
const RAW_IMAGE_TYPES: readonly (string | RegExp)[] = [/^image\/.*/, 'application/octet-stream'];

/** Builds the Fastify-based Nest application with upload limits applied. */
export async function createHttpApp(services: AppServices): Promise<NestFastifyApplication> {
  const limit = services.config.maxUploadBytes;
  const adapter = new FastifyAdapter({
    bodyLimit: limit,
    logger: false,
    requestTimeout: services.config.requestTimeoutMs + 5000,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forServices(services),
    adapter,
    // No JSON or form-urlencoded parsers: the endpoints read multipart forms and raw images only.
    { logger: false, bodyParser: false },
  );

  await app.register(multipart, {
    limits: {
      fileSize: limit,
      files: services.config.maxBatchImages + 1,
      fields: 50,
      fieldSize: 64 * 1024,
      parts: services.config.maxBatchImages + 51,
    },
  });

  const fastify = app.getHttpAdapter().getInstance();
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

  app.useGlobalFilters(new DomainErrorFilter(services.logger, services.config.maxUploadBytes));
  app.enableShutdownHooks();
  await app.init();
  return app;
}
