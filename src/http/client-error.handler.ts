import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

import { BadHttpRequestError } from '../errors/bad-http-request.error';
import type { DomainError } from '../errors/domain-error';
import { RequestHeadersTooLargeError } from '../errors/request-headers-too-large.error';
import { RequestTimeoutError } from '../errors/request-timeout.error';
import { errorBody } from './error-body';
import { HTTP_STATUS_BY_KIND } from './error-status';

/** An error of Node's HTTP parser or server, as its 'clientError' event gives it. */
export interface ClientError extends Error {
  readonly code?: string;
  /** llhttp's own words for what it could not parse. */
  readonly reason?: string;
  /** The bytes being parsed when it failed (a Buffer). */
  readonly rawPacket?: unknown;
}

/** What the HTTP layer needs to know to refuse a request it cannot read. */
export interface ClientErrorContext {
  readonly bodyTimeoutMs: number;
  /** True when an answer has started on the socket: nothing more may be written to it. */
  answering(socket: Socket): boolean;
}

const REQUEST_LINE = 'the request line must be METHOD /path HTTP/1.1';

/** The bytes Node was parsing when it gave up, as header text (empty when it kept none). */
const rawTextOf = (error: ClientError): string =>
  Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1') : '';

/** The Content-Length header as sent, when the bytes being parsed still hold it. */
function contentLengthOf(error: ClientError): string | undefined {
  return /^content-length:[ \t]*([^\r\n]*)/im.exec(rawTextOf(error))?.[1];
}

const TWO_LENGTHS =
  'the request has more than one Content-Length, or a Content-Length with Transfer-Encoding: chunked; send one of them, once';

/** Whether the bytes being parsed still hold a Transfer-Encoding header. */
function hasTransferEncoding(error: ClientError): boolean {
  return /^transfer-encoding:/im.test(rawTextOf(error));
}

/** The problem Node's HTTP server found, as a documented error: what was wrong, where it is known. */
export function clientErrorOf(error: ClientError, bodyTimeoutMs: number): DomainError {
  switch (error.code ?? '') {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestTimeoutError(bodyTimeoutMs);
    case 'HPE_HEADER_OVERFLOW':
      return new RequestHeadersTooLargeError(maxHeaderSize);
    case 'HPE_INVALID_EOF_STATE':
      return new BadHttpRequestError(
        'the client ended the connection before the request was complete (a body shorter than its Content-Length)',
      );
    case 'HPE_INVALID_CONTENT_LENGTH':
      // llhttp says so too of a well-formed Content-Length sent with Transfer-Encoding
      return new BadHttpRequestError(
        hasTransferEncoding(error)
          ? TWO_LENGTHS
          : `Content-Length must be a number of bytes in decimal digits; received ${JSON.stringify(contentLengthOf(error) ?? '')}`,
      );
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return new BadHttpRequestError(TWO_LENGTHS);
    case 'HPE_INVALID_METHOD':
      return new BadHttpRequestError(`${REQUEST_LINE}; its method is not one HTTP knows`);
    case 'HPE_INVALID_URL':
      return new BadHttpRequestError(`${REQUEST_LINE}; its path is not a valid URL path`);
    case 'HPE_INVALID_VERSION':
      return new BadHttpRequestError(`${REQUEST_LINE}; its HTTP version is not 1.0 or 1.1`);
    case 'HPE_INVALID_HEADER_TOKEN':
      return new BadHttpRequestError('a header line is not "Name: value"');
    default:
      return new BadHttpRequestError((error.reason ?? error.message).toLowerCase());
  }
}

/** A whole HTTP/1.1 answer carrying the documented error body; the connection closes after it. */
export function rawErrorResponse(error: DomainError): Buffer {
  const status = HTTP_STATUS_BY_KIND[error.kind];
  const body = Buffer.from(JSON.stringify(errorBody(error.code, error.message, error.details())));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${body.length}`,
    'Connection: close',
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** Writes an error answer straight to the socket and closes it once written. */
export function writeAndClose(socket: Socket, error: DomainError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawErrorResponse(error), () => socket.destroy());
}

/**
 * Fastify's clientErrorHandler: a request the server cannot read (bad
 * request line, bad Content-Length, a body cut short, a stalled upload past
 * HTTP_REQUEST_BODY_TIMEOUT_MS) gets the documented `{"error": {"code",
 * "message"}}` body, not Fastify's own, and its connection is closed. A
 * connection whose answer has started is only closed: a second answer would
 * corrupt the first.
 */
export function clientErrorHandler(
  context: ClientErrorContext,
): (error: ClientError, socket: Socket) => void {
  return (error, socket) => {
    // a reset connection has no one left to answer
    if (error.code === 'ECONNRESET' || socket.destroyed) {
      return;
    }
    if (context.answering(socket)) {
      socket.destroy();
      return;
    }
    writeAndClose(socket, clientErrorOf(error, context.bodyTimeoutMs));
  };
}
