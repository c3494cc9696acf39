import { type TSchema, Type } from 'typebox';
import { ProblemSchema } from '../problem.ts';

/** Route schemas every service shares: ids, the problem answers, Idempotency-Key, paging. */

export const Uuid = Type.String({ format: 'uuid' });

/** The problem answers a route can give, for the OpenAPI document (401/403 are added by the access level). */
export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, ProblemSchema]));
}

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

export const DefaultPageSize = 20;
export const MaxPageSize = 100;

/**
 * `limit` and an opaque `cursor` (a list's own `nextCursor`, decoded by the list's store: a cursor
 * no list issued is 400). The default limit is applied by `pageLimit`: the validator checks, it
 * does not fill in.
 */
export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MaxPageSize, default: DefaultPageSize })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** `PageQuery` with a list's own filters. */
export function pageQuery<Filters extends Record<string, TSchema>>(filters: Filters) {
  return Type.Object({ ...PageQuery.properties, ...filters }, { additionalProperties: false });
}

export function pageLimit(query: { limit?: number | undefined }): number {
  return query.limit ?? DefaultPageSize;
}

/** A page of `item`: `{items, nextCursor}`, `nextCursor` null on the last page. */
export function pageSchema<Item extends TSchema>(item: Item) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}
