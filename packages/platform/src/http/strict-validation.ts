import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * The validator of every route: TypeBox's compiled check, with the text of a query string, a path
 * or a header read strictly into the type its schema names. An integer only from integer text
 * (`?limit=true` or `?limit=1.5` is 400, not 1), a number only from decimal text, a boolean only
 * from `true` or `false`; anything else stays text and fails the check. Bodies are JSON: checked
 * as they are, never converted.
 */

interface TextSchema {
  type?: string | string[];
  anyOf?: TextSchema[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, TextSchema>;
}

const IntegerText = /^-?\d+$/;
const NumberText = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function typesOf(schema: TextSchema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** `text` as a value of `schema`, or `text` itself when it is no such value's text. */
function fromText(schema: TextSchema, text: string): unknown {
  if (schema.anyOf) {
    // Text wins when the union takes text; otherwise the first member that reads it.
    if (schema.anyOf.some((member) => typesOf(member).includes('string'))) return text;
    for (const member of schema.anyOf) {
      const value = fromText(member, text);
      if (value !== text) return value;
    }
    return text;
  }
  const literals = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
  if (literals) return literals.find((literal) => typeof literal !== 'string' && String(literal) === text) ?? text;
  const types = typesOf(schema);
  if (types.includes('string')) return text;
  if (types.includes('integer') && IntegerText.test(text)) return Number(text);
  if (types.includes('number') && NumberText.test(text)) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** The declared properties of a query, path or header object read from their text; the rest as they came. */
export function readText(schema: TextSchema, value: unknown): unknown {
  if (!schema.properties || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  let read: Record<string, unknown> | undefined;
  for (const [name, property] of Object.entries(schema.properties)) {
    const text = (value as Record<string, unknown>)[name];
    if (typeof text !== 'string') continue;
    const typed = fromText(property, text);
    if (typed === text) continue;
    read ??= { ...(value as Record<string, unknown>) };
    read[name] = typed;
  }
  // Untouched when nothing was text of another type (ids, names): no copy on the hot path.
  return read ?? value;
}

/** Compiled on the route's first request rather than at start, like the serializers (lazy-serializers.ts). */
export const StrictValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  let check: ReturnType<typeof Compile<TSchema>> | undefined;
  return (value) => {
    check ??= Compile(schema);
    const read = httpPart === 'body' ? value : readText(schema as TextSchema, value);
    if (check.Check(read)) return { value: read };
    return { error: check.Errors(read) as unknown as FastifySchemaValidationError[] };
  };
};
