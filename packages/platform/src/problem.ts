import { type ErrorCode, ErrorCodes } from '@necp/contracts';
import { Type } from 'typebox';

export interface FieldError {
  path: string;
  message: string;
}

/** RFC 9457 body (shared/API.md §1). Extra members carry domain detail, e.g. `lockedUntil`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  traceId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    traceId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true },
);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A failure the caller can act on: thrown anywhere, answered as problem+json by the HTTP layer. */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly extensions: Record<string, unknown>;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: {
      extensions?: Record<string, unknown>;
      errors?: FieldError[];
      headers?: Record<string, string>;
      /** Another status the code allows (API.md §1: `UPSTREAM_UNAVAILABLE` is 502 or 503); the code's own by default. */
      status?: number;
    } = {},
  ) {
    super(detail);
    this.code = code;
    this.status = options.status ?? ErrorCodes[code];
    this.extensions = options.extensions ?? {};
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export function problemTitle(code: ErrorCode): string {
  const words = code.toLowerCase().split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function buildProblem(
  code: ErrorCode,
  detail: string,
  traceId: string,
  extra: { status?: number; errors?: FieldError[]; extensions?: Record<string, unknown> } = {},
): Problem {
  const problem: Problem = {
    ...extra.extensions,
    type: `urn:necp:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: problemTitle(code),
    status: extra.status ?? ErrorCodes[code],
    detail,
    code,
    traceId,
  };
  if (extra.errors) problem.errors = extra.errors;
  return problem;
}

/** The generic code for a status when the framework, not the domain, refused a request. */
export function codeForStatus(status: number): ErrorCode {
  const byStatus: Record<number, ErrorCode> = {
    400: 'VALIDATION_ERROR',
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    408: 'REQUEST_TIMEOUT',
    409: 'CONFLICT',
    412: 'PRECONDITION_FAILED',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    417: 'EXPECTATION_FAILED',
    429: 'RATE_LIMITED',
    431: 'HEADERS_TOO_LARGE',
    502: 'UPSTREAM_UNAVAILABLE',
    503: 'SERVICE_UNAVAILABLE',
    504: 'UPSTREAM_TIMEOUT',
  };
  return byStatus[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR');
}
