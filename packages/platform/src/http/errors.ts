import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError, buildProblem, codeForStatus, type FieldError, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { currentTrace } from '../trace-context.ts';
import type { RouteTable } from './framework-refusals.ts';
import type { HttpApp } from './http-app.ts';

function traceIdOf(): string {
  return currentTrace()?.traceId ?? '0'.repeat(32);
}

interface SchemaIssue {
  instancePath?: string;
  message?: string;
}

function fieldErrors(error: FastifyError): FieldError[] {
  const part = error.validationContext ?? 'body';
  return ((error.validation ?? []) as SchemaIssue[]).map((issue) => ({
    path: `${part}${issue.instancePath ?? ''}`,
    message: issue.message ?? 'is invalid',
  }));
}

/** Sends a problem for `error`; exported for the places that answer before the router (the gateway). */
export function sendProblem(reply: FastifyReply, error: unknown, logger: Logger): FastifyReply {
  const traceId = traceIdOf();
  if (error instanceof AppError) {
    reply.headers(error.headers);
    return reply
      .code(error.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(
        buildProblem(error.code, error.message, traceId, {
          status: error.status,
          errors: error.errors,
          extensions: error.extensions,
        }),
      );
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = fieldErrors(fastifyError);
    const detail = errors.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return reply
      .code(400)
      .type(PROBLEM_CONTENT_TYPE)
      .send(buildProblem('VALIDATION_ERROR', detail || 'The request is invalid', traceId, { errors }));
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Framework refusals (malformed JSON, body too large, bad media type) keep their status and say why.
    return reply
      .code(status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(buildProblem(codeForStatus(status), fastifyError.message, traceId, { status }));
  }
  logger.error({ err: error }, 'unhandled error');
  return reply
    .code(500)
    .type(PROBLEM_CONTENT_TYPE)
    .send(buildProblem('INTERNAL_ERROR', 'An unexpected error occurred; it has been logged', traceId));
}

/**
 * Fastify's `frameworkErrors`: the router refuses a path before any route or hook runs, a parameter
 * over its length limit (Fastify's own answer: 414 in plain JSON) or broken percent-encoding. Both
 * are a malformed path parameter, answered as the schema answers one.
 */
export function routerRefusalHandler(logger: Logger) {
  return (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const message =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'a path parameter is longer than the router accepts'
        : 'the path is not valid percent-encoding';
    return sendProblem(
      reply,
      new AppError('VALIDATION_ERROR', `The request path is invalid: ${message}`, {
        errors: [{ path: 'params', message }],
      }),
      logger,
    );
  };
}

/**
 * Every failure, routed or not, becomes problem+json; stack traces never leave the process. A path
 * some route takes, asked with another method, is 405 with the methods it takes in `Allow`: told
 * before the body is read, so a wrong method is 405 whatever the body.
 */
export function installProblemHandlers(app: HttpApp, logger: Logger): void {
  app.setErrorHandler((error, _request, reply) => sendProblem(reply, error, logger));
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(buildProblem('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`, traceIdOf())),
  );
}

/**
 * 405 for a path that `routes` take with other methods (see above), with those methods in `Allow`;
 * undefined for a request that is not one.
 */
export function methodNotAllowed(request: FastifyRequest, routes: RouteTable): AppError | undefined {
  const template = request.routeOptions.url;
  // A request a route without parameters took is where it belongs.
  if (template !== undefined && !template.includes(':') && !template.includes('*')) return undefined;
  const path = request.url.split('?')[0] ?? request.url;
  const allowed = template !== undefined ? routes.staticMethodsAt(path) : routes.methodsAt(path);
  if (allowed.length === 0 || allowed.includes(request.method)) return undefined;
  return new AppError('METHOD_NOT_ALLOWED', `${path} does not take ${request.method}`, {
    headers: { allow: allowed.join(', ') },
    extensions: { allow: allowed },
  });
}
