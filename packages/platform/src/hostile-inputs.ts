/**
 * Sends hostile input to every operation of a service's OpenAPI document and collects the answers
 * that break the error contract: a 5xx, or a 4xx that is not a problem+json body carrying its own
 * status. Each body field is replaced in turn by values of the wrong type, size or text, bodies that
 * are not JSON objects are sent, path parameters that are not ids, bad query strings and an
 * oversized Idempotency-Key. Tests assert that the list comes back empty.
 */
import { randomUUID } from 'node:crypto';

const hostileValues: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  2 ** 53,
  -(2 ** 63),
  1e308,
  '',
  'x'.repeat(5_000),
  '\u0000',
  '\ud800',
  '💥',
  [],
  {},
  { a: 1 },
  'ABCDEF00-0000-4000-8000-000000000000',
  '00000000-0000-0000-0000-000000000000',
  "' OR 1=1 --",
];
const hostileBodies = ['', '{', 'null', '[]', '"x"', '{"__proto__":{"a":1}}', '{"constructor":{"prototype":{}}}'];
const hostileQueries = [
  '?limit=0',
  '?limit=-1',
  '?limit=abc',
  '?limit=1e9',
  '?cursor=%%%',
  `?cursor=${'A'.repeat(500)}`,
];

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  format?: string;
  minimum?: number;
  minLength?: number;
}

interface Operation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: { in: string; name: string }[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

export interface HostileSweep {
  /** Where the operations are reached: a service itself, or the gateway in front of it. */
  baseUrl: string;
  document: OpenApiDocument;
  /** Bearer tokens to send each request with; `undefined` sends none. */
  tokens: (string | undefined)[];
  /** A real id for path parameters and uuid fields (a character the callers own, say). */
  knownId: string;
  /**
   * A valid body per operation (`POST /api/v1/economy/transfers`), so each hostile field is the only
   * thing wrong and reaches past validation; other operations get one made from their schema.
   */
  validBodies?: Record<string, Record<string, unknown>>;
  /** Operations whose refusals may follow RFC 6749 (`{error, error_description}`) instead of RFC 9457. */
  oauthOperations?: string[];
}

export interface SweepResult {
  sent: number;
  /** One line per answer that broke the contract. */
  failures: string[];
}

/** A body the schema accepts where it can tell: required fields with their first allowed value. */
function exampleOf(schema: JsonSchema | undefined, knownId: string): unknown {
  if (!schema) return undefined;
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.anyOf) return exampleOf(schema.anyOf[0], knownId);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {})
          .filter(([name]) => schema.required?.includes(name))
          .map(([name, property]) => [name, exampleOf(property, knownId)]),
      );
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'string':
      if (schema.format === 'uuid') return knownId;
      if (schema.format === 'email') return 'someone@example.test';
      return 'a'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return undefined;
  }
}

export async function sweepHostileInputs(sweep: HostileSweep): Promise<SweepResult> {
  const failures: string[] = [];
  let sent = 0;
  const send = async (
    operation: string,
    method: string,
    path: string,
    token: string | undefined,
    body?: string,
    idempotencyKey: string = randomUUID(),
  ) => {
    sent++;
    const response = await fetch(`${sweep.baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: method === 'GET' ? undefined : body,
    });
    const text = await response.text();
    if (response.status < 400) return;
    const type = response.headers.get('content-type') ?? '';
    const parsed = (() => {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })();
    const isProblem = type.startsWith('application/problem+json') && parsed?.status === response.status;
    // The edge's own refusals there (429 and the like) are still problems.
    const isOAuthError = sweep.oauthOperations?.includes(operation) === true && typeof parsed?.error === 'string';
    const keepsContract = response.status < 500 && (isProblem || isOAuthError);
    if (!keepsContract) {
      failures.push(
        `${response.status} ${method} ${path.slice(0, 80)} ${String(body).slice(0, 80)}: ${text.slice(0, 200)}`,
      );
    }
  };

  for (const [template, operations] of Object.entries(sweep.document.paths)) {
    if (!template.startsWith('/api/')) continue;
    for (const [lowerMethod, operation] of Object.entries(operations)) {
      const method = lowerMethod.toUpperCase();
      const name = `${method} ${template.replace(/\{(\w+)\}/g, ':$1')}`;
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      const valid = sweep.validBodies?.[name] ?? (exampleOf(schema, sweep.knownId) as Record<string, unknown>) ?? {};
      const withPath = (value: string) => template.replace(/\{\w+\}/g, value);
      const path = withPath(sweep.knownId);
      const hasPathParameters = (operation.parameters ?? []).some((parameter) => parameter.in === 'path');
      for (const token of sweep.tokens) {
        for (const field of Object.keys(schema?.properties ?? {})) {
          for (const value of hostileValues)
            await send(name, method, path, token, JSON.stringify({ ...valid, [field]: value }));
        }
        for (const body of hostileBodies) await send(name, method, path, token, body);
        if (hasPathParameters) {
          const ids = ['x', 'x'.repeat(300), '%E0%A4%A', sweep.knownId.toUpperCase(), randomUUID()];
          for (const id of ids) await send(name, method, withPath(id), token, JSON.stringify(valid));
        }
        if (method === 'GET') for (const query of hostileQueries) await send(name, method, `${path}${query}`, token);
        await send(name, method, path, token, JSON.stringify(valid), 'k'.repeat(300));
      }
    }
  }
  return { sent, failures };
}
