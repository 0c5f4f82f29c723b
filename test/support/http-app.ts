import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createInlineServices } from '../../src/bootstrap/services';
import { loadConfig } from '../../src/config/app-config';
import { createHttpApp } from '../../src/http/http-server';
import { silentLogger } from './silent-logger';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/** The HTTP application in the embedded mode, on the repository's models, with test overrides. */
export async function startTestApp(env: NodeJS.ProcessEnv = {}): Promise<NestFastifyApplication> {
  const config = loadConfig({
    MODEL_REPOSITORY: path.join(REPO_ROOT, 'models'),
    ORT_INTRA_OP_THREADS: '1',
    ...env,
  });
  const services = await createInlineServices(config, silentLogger);
  const app = await createHttpApp(services);
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
