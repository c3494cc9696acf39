import { STATUS_CODES } from 'node:http';
import type { FastifySchema, RouteOptions } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from '../problem.ts';

/**
 * What the OpenAPI document says a route answers, written once for every route of every service
 * (the `transform` of @fastify/swagger, run when the document is generated, after every hook):
 * - each problem answer (a route's `problems(...)`, the access level's 401/403) under
 *   `application/problem+json`, as it is sent, with the problem schema;
 * - 400 wherever the request is checked (a body, query, path or header schema; a body is parsed)
 *   and 413/415 wherever a body is read;
 * - the answers the edge gives on every route (`documentEdgeAnswers`: the gateway's 429);
 * - 204 and 304 without a body.
 */

const BodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const InputParts = ['body', 'querystring', 'params', 'headers'] as const;
const NoBody = new Set(['204', '304']);

/** An OpenAPI response object: a problem body with its media type. */
export function problemAnswer(status: number) {
  return {
    description: STATUS_CODES[status] ?? 'Problem',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
  };
}

interface JsonSchemaLike {
  type?: unknown;
  properties?: Record<string, unknown>;
  content?: unknown;
}

function isProblemSchema(schema: unknown): boolean {
  if (schema === ProblemSchema) return true;
  const candidate = schema as JsonSchemaLike | undefined;
  return (
    candidate?.type === 'object' &&
    candidate.content === undefined &&
    ['type', 'title', 'status', 'detail', 'code', 'traceId'].every((field) => field in (candidate.properties ?? {}))
  );
}

const edgeAnswers = new WeakMap<object, Set<number>>();

/**
 * Problem answers that something in front of every route gives (the gateway's rate limits: 429),
 * for the document of the service whose `server` this is.
 */
export function documentEdgeAnswers(server: object, statuses: readonly number[]): void {
  const known = edgeAnswers.get(server) ?? new Set<number>();
  for (const status of statuses) known.add(status);
  edgeAnswers.set(server, known);
}

export interface AnswerFacts {
  /** The service parses bodies itself (not the gateway, which passes them on). */
  readsBodies: boolean;
  server: object;
}

/** The route's schema as the document shows it; the route itself (validation, serialization) is untouched. */
export function documentedSchema(route: RouteOptions, schema: FastifySchema | undefined, facts: AnswerFacts) {
  if (!schema || (schema as { hide?: boolean }).hide) return schema;
  const methods = [route.method].flat();
  const response: Record<string, unknown> = { ...((schema.response as Record<string, unknown>) ?? {}) };
  if (Object.keys(response).length === 0) response[200] = { description: 'OK' };
  const takesBody = facts.readsBodies && methods.some((method) => BodyMethods.has(method));
  const added: number[] = [...(edgeAnswers.get(facts.server) ?? [])];
  if (takesBody || InputParts.some((part) => schema[part] !== undefined)) added.push(400);
  if (takesBody) added.push(413, 415);
  for (const status of added) response[status] ??= ProblemSchema;
  for (const [status, answer] of Object.entries(response)) {
    if (isProblemSchema(answer)) response[status] = problemAnswer(Number(status));
    else if (NoBody.has(status)) response[status] = { type: 'null', description: STATUS_CODES[status] };
  }
  return { ...schema, response };
}
