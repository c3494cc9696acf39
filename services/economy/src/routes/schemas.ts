import { ProblemSchema } from '@necp/platform';
import { Type } from 'typebox';
import { ASSETS } from '../domain/catalogue.ts';

export const Uuid = Type.String({ format: 'uuid' });
export const AssetSchema = Type.Union(ASSETS.map((asset) => Type.Literal(asset)));
export const Amount = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

export const DEFAULT_PAGE_SIZE = 20;

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
  },
  { additionalProperties: false },
);

/** The problem answers a route can give, for the OpenAPI document. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, ProblemSchema]));
}

export const bearer = [{ bearer: [] }];
