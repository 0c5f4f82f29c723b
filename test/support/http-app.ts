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

/**
 * Starts the application (as startTestApp) before the tests of the enclosing
 * describe and closes it after them; the returned function hands it to a
 * test or a later hook.
 */
export function useTestApp(env: NodeJS.ProcessEnv = {}): () => NestFastifyApplication {
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    app = await startTestApp(env);
  });

  afterAll(async () => {
    await app?.close();
  });

  return () => {
    if (app === undefined) {
      throw new Error('the test application is not started: use it inside a test or a hook');
    }
    return app;
  };
}
