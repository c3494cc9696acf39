import { type Static, type TSchema, Type } from 'typebox';

/** The envelope every event travels in (shared/API.md §9), whatever the transport. */
export const EventEnvelopeSchema = Type.Object({
  eventId: Type.String({ format: 'uuid' }),
  type: Type.String({ minLength: 1, maxLength: 200 }),
  occurredAt: Type.String({ format: 'date-time' }),
  producer: Type.String({ minLength: 1, maxLength: 64 }),
  traceId: Type.String({ pattern: '^[0-9a-f]{32}$' }),
  key: Type.String({ minLength: 1, maxLength: 200 }),
  payload: Type.Unknown(),
});

export type EventEnvelope<P = unknown> = Omit<Static<typeof EventEnvelopeSchema>, 'payload'> & { payload: P };

export function envelopeSchemaFor<P extends TSchema>(payload: P) {
  return Type.Object({ ...EventEnvelopeSchema.properties, payload });
}
