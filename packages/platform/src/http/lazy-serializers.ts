import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type SerializerFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>['buildSerializer'];

/**
 * Fastify's own response serializers, each built on the first response it writes instead of for
 * every route and status before the service listens: building them all was a third of the seven
 * services' start in one process, most of them for answers that are rarely or never sent.
 */
export const lazySerializers: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: ((payload: unknown) => string) | undefined;
    return (payload) => {
      serialize ??= compile(route);
      return serialize(payload);
    };
  };
};
