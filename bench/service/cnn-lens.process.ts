import { readFileSync } from 'node:fs';

import { freePort } from './free-port';
import { SpawnedProcess } from './spawned.process';

export interface CnnLensLaunch {
  readonly repositoryRoot: string;
  readonly modelRepository: string;
  readonly logDir: string;
  /** node and its arguments before the environment takes over: ['dist/main.js'] normally. */
  readonly entry: readonly string[];
}

export interface CnnLensProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly baseUrl: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 180_000;

/**
 * Starts `node dist/main.js` with the given role and settings on free ports
 * (HTTP and gRPC, so nothing else on the machine is disturbed) and waits
 * until /readyz answers 200.
 */
export async function startCnnLens(
  name: string,
  settings: Readonly<Record<string, string>>,
  launch: CnnLensLaunch,
): Promise<CnnLensProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    GRPC_PORT: '0',
    MODEL_REPOSITORY: launch.modelRepository,
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...settings,
  };
  const child = SpawnedProcess.start(name, process.execPath, launch.entry, {
    cwd: launch.repositoryRoot,
    env,
    logDir: launch.logDir,
  });
  const baseUrl = `http://127.0.0.1:${port}`;

  try {
    await waitUntilReady(child, `${baseUrl}/readyz`);
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
  return { name, port, pid: child.pid, baseUrl, stop: () => child.stop() };
}

async function waitUntilReady(child: SpawnedProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;

  while (Date.now() < deadline) {
    if (child.exited) {
      throw new Error(
        `${child.name} exited before it was ready; log ${child.logFile}:\n${tail(child.logFile)}`,
      );
    }
    try {
      const response = await fetch(url);
      if (response.status === 200) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${child.name} not ready after ${READY_TIMEOUT_MS / 1000} s; log ${child.logFile}:\n${tail(child.logFile)}`,
  );
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
