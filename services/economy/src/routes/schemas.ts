import { Type } from 'typebox';
import { ASSETS } from '../domain/catalogue.ts';

/** Economy's own route schemas; the shared ones (Uuid, problems, paging, ...) are the platform's. */
export const AssetSchema = Type.Union(ASSETS.map((asset) => Type.Literal(asset)));
export const Amount = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });
/** Amounts per material. */
export const Counts = Type.Record(Type.String(), Type.Integer());
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
