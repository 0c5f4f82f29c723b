import * as path from 'node:path';

// Loaded by the main thread before any render thread: glibc would otherwise unload libvips when a thread exits (lovell/sharp#2263).
import 'sharp';
import { Piscina } from 'piscina';

import { JobFailedError } from '../errors/job-failed.error';
import type { MapRenderTask } from './map-render.task';
import type { RenderFailure } from './map-render.worker';

/** Renders one map somewhere, resolving to its bytes (see renderMapTask). */
export type MapRenderer = (task: MapRenderTask) => Promise<Buffer>;

/** An idle thread is kept this long: starting one (and loading sharp in it) costs 0.1-1 s. */
const IDLE_TIMEOUT_MS = 60_000;

/**
 * The worker file beside this one: compiled JavaScript in dist/, TypeScript
 * under Jest or the bench, which a worker thread cannot load by itself, so
 * SWC's require hook is registered in it as in the main thread.
 */
function workerEntry(): { filename: string; execArgv: string[] } {
  const extension = path.extname(__filename);
  const filename = path.join(__dirname, `map-render.worker${extension}`);
  return extension === '.ts'
    ? { filename, execArgv: ['-r', require.resolve('@swc-node/register')] }
    : { filename, execArgv: [] };
}

function isFailure(result: unknown): result is RenderFailure {
  return typeof result === 'object' && result !== null && 'code' in result && 'kind' in result;
}

/**
 * A pool of worker threads for the per-pixel work of answers, so that the
 * event loop (BullMQ's lock renewal, the API in ROLE=all) keeps turning while
 * a large map is upsampled, coloured, blended and encoded. Threads start on
 * the first task and stop when idle; idle threads never keep the process alive.
 */
export class MapRenderPool {
  private pool: Piscina<MapRenderTask, unknown> | undefined;

  constructor(private readonly threads: number) {}

  readonly render: MapRenderer = async (task) => {
    this.pool ??= new Piscina<MapRenderTask, unknown>({
      ...workerEntry(),
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: IDLE_TIMEOUT_MS,
      // plain messages: with Atomics an idle thread blocks in Atomics.wait and runs none of its pending callbacks
      atomics: 'disabled',
    });

    const result = await this.pool.run(task);
    if (isFailure(result)) {
      throw new JobFailedError(result.code, result.kind, result.message);
    }
    if (!ArrayBuffer.isView(result)) {
      throw new TypeError('a render thread answered something other than bytes');
    }
    return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
  };

  /** Stops the threads; a later task starts them again. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}
