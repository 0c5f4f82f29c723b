import { move } from 'piscina';

import { DomainError, type ErrorKind } from '../errors/domain-error';
import { type MapRenderTask, renderMapTask } from './map-render.task';

/** A domain error raised in the worker thread: a thrown error reaches the pool as a bare Error, without its code. */
export interface RenderFailure {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly message: string;
}

/**
 * Piscina's entry in each render thread: renders one map and hands the bytes
 * back by transfer (no copy on the main thread); a domain error comes back as
 * a value so that its code and message survive the thread boundary.
 */
export default async function renderInWorker(
  task: MapRenderTask,
): Promise<ReturnType<typeof move> | RenderFailure> {
  try {
    const bytes = await renderMapTask(task);

    // own, exactly-sized memory: a pooled or native Buffer's backing store cannot always be transferred
    const owned = new Uint8Array(bytes.length);
    owned.set(bytes);
    return move(owned);
  } catch (error) {
    if (error instanceof DomainError) {
      return { code: error.code, kind: error.kind, message: error.message };
    }
    throw error;
  }
}
