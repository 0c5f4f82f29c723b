import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import type { FastifyInstance } from 'fastify';

import { RequestTimeoutError } from '../errors/request-timeout.error';
import type { Logger } from '../logging/logger';
import { writeAndClose } from './client-error.handler';

/** How often a drain closes the connections that became idle (Node closes them only once, in close()). */
const SWEEP_MS = 250;

/** What the HTTP server still holds, for the drain's log lines. */
export interface HttpDrainState {
  readonly connections: number;
  /** Requests being answered. */
  readonly requests: number;
  /** Of those, requests whose body has not all arrived yet. */
  readonly receiving: number;
}

interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
}

/**
 * The HTTP server's connections and the request each one is answering, so
 * that an answer sent before its body was read closes its connection, and a
 * SIGTERM drain closes idle keep-alive connections at once, ends stalled
 * uploads and can say what it waits for.
 */
export class HttpConnections {
  private readonly sockets = new Set<Socket>();
  private readonly exchanges = new Map<Socket, Exchange>();
  private server: Server | undefined;
  private draining = false;

  constructor(private readonly settings: { readonly bodyTimeoutMs: number }) {}

  /** Starts tracking; call before the server listens. */
  install(fastify: FastifyInstance): void {
    const server = fastify.server;
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.exchanges.delete(socket);
      });
    });

    fastify.addHook('onRequest', (request, reply, done) => {
      const exchange = { request: request.raw, response: reply.raw };
      const socket = request.raw.socket;
      this.exchanges.set(socket, exchange);
      reply.raw.once('close', () => {
        if (this.exchanges.get(socket) === exchange) {
          this.exchanges.delete(socket);
        }
      });
      done();
    });

    // Unread bytes of a refused body (a 413, a 415, a malformed form) would otherwise keep the
    // connection busy until the client has sent them all, or for ever when it stalls.
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (this.draining || !request.raw.complete) {
        void reply.header('Connection', 'close');
      }
      done(null, payload);
    });
  }

  /** True when a response has started on the socket, so nothing else may be written to it. */
  answering(socket: Socket): boolean {
    return this.exchanges.get(socket)?.response.headersSent ?? false;
  }

  state(): HttpDrainState {
    const exchanges = [...this.exchanges.values()];
    return {
      connections: this.sockets.size,
      requests: exchanges.length,
      receiving: exchanges.filter(({ request }) => !request.complete).length,
    };
  }

  /**
   * The HTTP side of SIGTERM. `close` stops the server (Fastify's close,
   * which waits for every connection); meanwhile idle keep-alive
   * connections are closed as soon as they are idle, every answer closes its
   * connection, and after HTTP_REQUEST_BODY_TIMEOUT_MS the connections that
   * have not sent a whole request are cut (Node stops its own request
   * timeout checks once the server closes). Past graceMs every connection
   * left is cut.
   */
  async drain(close: () => Promise<void>, graceMs: number, logger: Logger): Promise<void> {
    const server = this.server;
    this.draining = true;
    if (server === undefined) {
      await close();
      return;
    }

    const started = Date.now();
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
    const cutoff = setTimeout(
      () => this.cutIncomplete(logger),
      Math.min(this.settings.bodyTimeoutMs, graceMs),
    );
    const giveUp = setTimeout(() => {
      logger.warn(
        { ...this.state(), waitedMs: Date.now() - started },
        'HTTP drain gave up: closing the connections left',
      );
      server.closeAllConnections();
    }, graceMs);
    // unref'd: the process's own drain deadline (stopOnSignals) keeps it alive
    for (const timer of [sweep, cutoff, giveUp]) {
      timer.unref();
    }

    try {
      await close();
    } finally {
      clearInterval(sweep);
      clearTimeout(cutoff);
      clearTimeout(giveUp);
    }
  }

  /** Ends every connection that has not sent a whole request: idle, in its headers, or in its body. */
  private cutIncomplete(logger: Logger): void {
    let cut = 0;

    for (const socket of this.sockets) {
      const exchange = this.exchanges.get(socket);
      if (exchange !== undefined && exchange.request.complete) {
        continue;
      }
      cut += 1;
      if (exchange !== undefined && !exchange.response.headersSent) {
        writeAndClose(socket, new RequestTimeoutError(this.settings.bodyTimeoutMs));
      } else {
        socket.destroy();
      }
    }
    if (cut > 0) {
      logger.info(
        { connections: cut, timeoutMs: this.settings.bodyTimeoutMs },
        'HTTP drain: closed connections that had not sent a whole request (HTTP_REQUEST_BODY_TIMEOUT_MS)',
      );
    }
  }
}
