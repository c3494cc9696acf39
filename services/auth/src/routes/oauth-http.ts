import { AppError, buildProblem, codeForStatus, currentTrace, sendProblem } from '@necp/platform';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { callerAddress } from '../domain/lockout.ts';
import type { AuthApp } from '../flows/auth-app.ts';
import { type ErrorCode, LoginRefused, OAuthError } from '../flows/errors.ts';

/** Who is signing in from where: what sessions record and what the lockout counts by. */
export function requestMeta(request: FastifyRequest, auth: AuthApp) {
  const userAgent = request.headers['user-agent'];
  return {
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 256) : null,
    ip: callerAddress(request.ip, request.headers['x-forwarded-for'], auth.settings.trustedProxies),
  };
}

/** RFC 6749 §5.2's body (`error`, `error_description`, as `application/json`), with the problem members beside them. */
function sendOAuthError(
  reply: FastifyReply,
  status: number,
  error: string,
  description: string,
  code: ErrorCode,
  extensions: Record<string, unknown> = {},
) {
  const traceId = currentTrace()?.traceId ?? '0'.repeat(32);
  const problem = buildProblem(code, description, traceId, { status, extensions });
  return reply
    .code(status)
    .type('application/json')
    .send({ error, error_description: description, ...problem });
}

/**
 * The token and revocation endpoints answer every refusal in RFC 6749's shape: their own errors, a
 * lock (423 with `lockedUntil` and Retry-After), and anything they cannot read (`invalid_request`,
 * with the framework's status: 400, 413, 415). Only a failure of the server is a plain problem.
 */
export function oauthErrorHandler(auth: AuthApp) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (error instanceof OAuthError) {
      // RFC 6749 §5.2: a client that tried Basic is challenged to try again.
      if (error.error === 'invalid_client' && /^basic\b/i.test(request.headers.authorization ?? '')) {
        reply.header('www-authenticate', 'Basic realm="necp", charset="UTF-8"');
      }
      return sendOAuthError(reply, error.status, error.error, error.message, error.code);
    }
    if (error instanceof LoginRefused) {
      const problem = error.toAppError();
      reply.headers(problem.headers);
      const status = error.reason === 'locked' ? 423 : 400;
      return sendOAuthError(reply, status, 'invalid_grant', error.message, problem.code, problem.extensions);
    }
    const status = (error as FastifyError).validation
      ? 400
      : error instanceof AppError
        ? error.status
        : (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = error instanceof AppError ? error.code : codeForStatus(status);
      return sendOAuthError(reply, status, 'invalid_request', error.message, code);
    }
    return sendProblem(reply, error, auth.logger);
  };
}
