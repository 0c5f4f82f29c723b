import { hostname } from 'node:os';

/** The name this process records on the jobs it runs: WORKER_NAME, or `<host>:<pid>`. */
export function workerName(configured: string | undefined): string {
  return configured ?? `${hostname()}:${process.pid}`;
}
