import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { DomainError } from '../errors/domain-error';
import { TooManyFieldsError } from '../errors/too-many-fields.error';
import { TooManyPartsError } from '../errors/too-many-parts.error';
import { UnsupportedContentTypeError } from '../errors/unsupported-content-type.error';
import type { Logger } from '../logging/logger';
import { errorBody } from './error-body';
import { HTTP_STATUS_BY_KIND } from './error-status';
import { FORM_FIELD_LIMIT } from './upload.reader';

interface FrameworkError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
}

/** Fastify and plugin error codes that are the caller's doing, with our stable code for each. */
const FRAMEWORK_CODES: Readonly<Record<string, { status: number; code: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'BAD_REQUEST' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
};

/** Plugin errors that readUpload turns into ours; here for a form read by anything else. */
const PLUGIN_ERRORS: Readonly<Record<string, () => DomainError>> = {
  FST_FIELDS_LIMIT: () => new TooManyFieldsError(FORM_FIELD_LIMIT),
  FST_PARTS_LIMIT: () => new TooManyPartsError(FORM_FIELD_LIMIT),
};

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

const isClientAbort = (error: unknown): boolean => {
  const { code, message } = error as FrameworkError;
  return code === 'ECONNRESET' || message === 'aborted';
};

/**
 * When to try again, for every error that says so in its details
 * (QUEUE_FULL, REDIS_UNAVAILABLE...); a JOB_TIMEOUT's result may be ready in a second.
 */
function retryAfterSeconds(exception: unknown): number | undefined {
  if (!(exception instanceof DomainError)) {
    return undefined;
  }
  if (exception.code === 'JOB_TIMEOUT') {
    return 1;
  }
  const seconds = exception.details()?.retryAfterSeconds;
  return typeof seconds === 'number' ? seconds : undefined;
}

/** Maps every error to `{"error": {"code", "message"}}` with the status its kind implies. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly maxUploadBytes: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest | undefined>();
    const { status, body } = this.describe(exception, request?.headers['content-type']);

    if (status >= 500 && !(exception instanceof DomainError)) {
      if (isClientAbort(exception)) {
        this.logger.debug({ error: (exception as Error).message }, 'client went away');
      } else {
        this.logger.error({ err: exception }, 'unhandled error');
      }
    }
    const retryAfter = retryAfterSeconds(exception);
    if (retryAfter !== undefined) {
      void reply.header('Retry-After', String(retryAfter));
    }
    void reply.status(status).send(body);
  }

  private tooLargeMessage(): string {
    return `the request body is larger than the limit of ${this.maxUploadBytes} bytes (MAX_UPLOAD_BYTES)`;
  }

  private describe(
    exception: unknown,
    contentType: string | undefined,
  ): { status: number; body: ReturnType<typeof errorBody> } {
    if (exception instanceof DomainError) {
      return {
        status: HTTP_STATUS_BY_KIND[exception.kind],
        body: errorBody(exception.code, exception.message, exception.details()),
      };
    }

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Fastify refuses a body it has no parser for before any route sees it; say what it takes.
      if (status === 415) {
        return this.describe(new UnsupportedContentTypeError(contentType), contentType);
      }
      const message = status === 413 ? this.tooLargeMessage() : exception.message;
      return { status, body: errorBody(HTTP_CODES[status] ?? `HTTP_${status}`, message) };
    }

    const framework = exception as FrameworkError;
    const plugin = framework.code === undefined ? undefined : PLUGIN_ERRORS[framework.code];
    if (plugin !== undefined) {
      return this.describe(plugin(), contentType);
    }
    const known = framework.code === undefined ? undefined : FRAMEWORK_CODES[framework.code];
    if (known?.code === 'UNSUPPORTED_MEDIA_TYPE') {
      return this.describe(new UnsupportedContentTypeError(contentType), contentType);
    }
    if (known !== undefined) {
      const message =
        known.code === 'PAYLOAD_TOO_LARGE'
          ? this.tooLargeMessage()
          : (framework.message ?? known.code);
      return { status: known.status, body: errorBody(known.code, message) };
    }
    if (typeof framework.statusCode === 'number' && framework.statusCode < 500) {
      return {
        status: framework.statusCode,
        body: errorBody(
          HTTP_CODES[framework.statusCode] ?? 'BAD_REQUEST',
          framework.message ?? 'bad request',
        ),
      };
    }
    return {
      status: 500,
      body: errorBody('INTERNAL', 'an unexpected error occurred; it has been logged'),
    };
  }
}
