import type { FastifyReply, FastifyRequest } from 'fastify';

import { errorBody } from './error-body';

/** Fastify's longest path parameter (a model name, a job id), as its router is set up here. */
export const MAX_PATH_PARAMETER_LENGTH = 100;

interface RouterError {
  readonly code?: string;
  readonly statusCode?: number;
}

/**
 * The errors Fastify's router answers before any route or Nest filter sees
 * the request (a path parameter over MAX_PATH_PARAMETER_LENGTH, a path that
 * is not valid percent-encoding), in the service's error body rather than
 * Fastify's own. The path is not echoed: it may be long.
 */
export function answerFrameworkError(
  error: RouterError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const message = `a path parameter (a model name, a job id) must have at most ${MAX_PATH_PARAMETER_LENGTH} characters`;
    void reply.status(414).send(errorBody('PATH_PARAMETER_TOO_LONG', message));
  } else if (error.code === 'FST_ERR_BAD_URL') {
    const message = 'the URL path is not valid percent-encoding';
    void reply.status(400).send(errorBody('BAD_REQUEST', message));
  } else {
    const message = 'the request could not be routed';
    void reply.status(error.statusCode ?? 400).send(errorBody('BAD_REQUEST', message));
  }
}
