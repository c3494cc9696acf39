/**
 * Sends hostile input to every operation of a service's OpenAPI document and collects the answers
 * that break the error contract: a 5xx, or a 4xx that is not a problem+json body carrying its own
 * status. Each body field is replaced in turn by values of the wrong type, size or text; then come
 * bodies that are not JSON objects, bodies of other media types or of none, path parameters that
 * are not ids, bad query strings, an oversized Idempotency-Key and malformed Authorization headers.
 * Tests assert that the list comes back empty.
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

/** One request of the sweep: JSON with a fresh Idempotency-Key unless `headers` say otherwise. */
interface Probe {
  path: string;
  token: string | undefined;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** Authorization headers that are not a bearer token the issuer signed. */
function malformedAuthorizations(token: string): string[] {
  const [header, payload] = token.split('.');
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
  return [
    'Bearer',
    'Bearer ',
    `Bearer ${token}x`,
    `Bearer ${header}.${payload}`,
    `Bearer ${unsigned}`,
    `Bearer ${'a'.repeat(10_000)}`,
    `Bearer ${token}, Bearer ${token}`,
    `Basic ${Buffer.from('admin:admin').toString('base64')}`,
  ];
}

/** Bodies with a media type other than JSON, or none. */
const otherMediaTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/xml',
];

export async function sweepHostileInputs(sweep: HostileSweep): Promise<SweepResult> {
  const failures: string[] = [];
  let sent = 0;
  const send = async (operation: string, method: string, probe: Probe) => {
    sent++;
    const headers: Record<string, string> = {
      ...(typeof probe.body === 'string' ? { 'content-type': 'application/json' } : {}),
      'idempotency-key': randomUUID(),
      ...(probe.token ? { authorization: `Bearer ${probe.token}` } : {}),
      ...probe.headers,
    };
    const response = await fetch(`${sweep.baseUrl}${probe.path}`, {
      method,
      headers,
      body: method === 'GET' ? undefined : probe.body,
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
    if (response.status >= 500 || !(isProblem || isOAuthError)) {
      const shown = `${JSON.stringify(probe.headers ?? {})} ${String(probe.body)}`.slice(0, 120);
      failures.push(`${response.status} ${method} ${probe.path.slice(0, 80)} ${shown}: ${text.slice(0, 200)}`);
    }
  };

  for (const [template, operations] of Object.entries(sweep.document.paths)) {
    if (!template.startsWith('/api/')) continue;
    for (const [lowerMethod, operation] of Object.entries(operations)) {
      const method = lowerMethod.toUpperCase();
      const name = `${method} ${template.replace(/\{(\w+)\}/g, ':$1')}`;
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      const valid = sweep.validBodies?.[name] ?? (exampleOf(schema, sweep.knownId) as Record<string, unknown>) ?? {};
      const validText = JSON.stringify(valid);
      const withPath = (value: string) => template.replace(/\{\w+\}/g, value);
      const path = withPath(sweep.knownId);
      const hasPathParameters = (operation.parameters ?? []).some((parameter) => parameter.in === 'path');
      for (const token of sweep.tokens) {
        for (const field of Object.keys(schema?.properties ?? {})) {
          for (const value of hostileValues) {
            await send(name, method, { path, token, body: JSON.stringify({ ...valid, [field]: value }) });
          }
        }
        for (const body of hostileBodies) await send(name, method, { path, token, body });
        if (hasPathParameters) {
          const ids = ['x', 'x'.repeat(300), '%E0%A4%A', sweep.knownId.toUpperCase(), randomUUID()];
          for (const id of ids) await send(name, method, { path: withPath(id), token, body: validText });
        }
        if (method === 'GET') {
          for (const query of hostileQueries) await send(name, method, { path: `${path}${query}`, token });
        } else {
          for (const type of otherMediaTypes) {
            await send(name, method, { path, token, body: validText, headers: { 'content-type': type } });
          }
          await send(name, method, { path, token, body: new TextEncoder().encode(validText) });
        }
        await send(name, method, { path, token, body: validText, headers: { 'idempotency-key': 'k'.repeat(300) } });
        if (token) {
          for (const authorization of malformedAuthorizations(token)) {
            await send(name, method, { path, token, body: validText, headers: { authorization } });
          }
        }
      }
    }
  }
  return { sent, failures };
}
