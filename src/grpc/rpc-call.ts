import type { ServerUnaryCall } from '@grpc/grpc-js';

/** What an RPC implementation may know about its call, without grpc-js types. */
export interface RpcCall {
  /** Aborted when the client cancels or the deadline passes. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the client's deadline; undefined when it set none. */
  remainingMs(): number | undefined;
}

/** One unary method: a request object in (snake_case fields, as loaded), a response object out. */
export interface UnaryRpc<Request = unknown, Response = unknown> {
  handle(request: Request, call: RpcCall): Promise<Response>;
}

export function rpcCallOf(call: ServerUnaryCall<unknown, unknown>): RpcCall {
  const controller = new AbortController();
  const deadline = deadlineOf(call.getDeadline());

  call.on('cancelled', () => controller.abort());
  if (deadline !== undefined) {
    const timer = setTimeout(() => controller.abort(), Math.max(0, deadline - Date.now()));
    timer.unref();
    controller.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    call.on('finish', () => clearTimeout(timer));
  }

  return {
    signal: controller.signal,
    remainingMs: () => (deadline === undefined ? undefined : Math.max(0, deadline - Date.now())),
  };
}

function deadlineOf(deadline: Date | number): number | undefined {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}
