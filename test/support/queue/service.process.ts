import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

import { REPO_ROOT } from '../http-app';

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly httpPort: number;
  /** Every stdout/stderr line so far, for failure messages. */
  readonly output: string[];
  /** Resolves with the exit code (or the signal) once the process is gone. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

const running = new Set<ChildProcess>();

/** Kills every child still alive; called from afterAll and on the test process's own exit. */
export function killAllServices(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
  running.clear();
}
process.once('exit', killAllServices);

/**
 * Starts test/support/queue/service.main.ts (src/main.ts with instrumented
 * handlers) as a separate Node process, TypeScript compiled on load by
 * @swc-node/register; resolves when it logs that it listens.
 */
export function startService(
  env: NodeJS.ProcessEnv,
  startTimeoutMs = 60_000,
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, 'service.main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        MODEL_REPOSITORY: path.join(REPO_ROOT, 'models'),
        ORT_INTRA_OP_THREADS: '1',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        SWC_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  const output: string[] = [];
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(signal ?? code ?? -1);
    });
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not start within ${startTimeoutMs} ms:\n${output.join('\n')}`));
    }, startTimeoutMs);

    const onLine = (line: string): void => {
      output.push(line);
      const port = listeningPort(line);
      if (port !== undefined) {
        clearTimeout(timer);
        resolve({ child, pid: child.pid ?? -1, httpPort: port, output, exited });
      }
    };
    readLines(child.stdout, onLine);
    readLines(child.stderr, onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code}) before listening:\n${output.join('\n')}`));
    });
  });
}

function listeningPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    return entry.msg === 'cnn-lens listening' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}

function readLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let pending = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    lines.filter((line) => line.length > 0).forEach(onLine);
  });
}
