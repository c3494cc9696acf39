-- The live definition of mvp_meta.write_outbox.
-- The migration runner runs this file again at start whenever its text changes (repeatable
-- definitions, packages/platform/src/sql/migrations.ts): change the function here, never in a
-- numbered migration. Changing its arguments or result type also takes a numbered migration that
-- drops the old function first (CREATE OR REPLACE cannot change those).
--
-- One outbox row: the event's id, topic, key, envelope (the payload column), producer and
-- traceparent, as `outboxRow` (packages/platform/src/events/outbox.ts) builds them.
CREATE OR REPLACE FUNCTION mvp_meta.write_outbox(
  p_id uuid,
  p_topic text,
  p_key text,
  p_envelope jsonb,
  p_producer text,
  p_traceparent text
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mvp_meta.outbox (id, aggregatetype, aggregateid, type, payload, producer, tracingspancontext)
  VALUES (p_id, p_topic, p_key, p_topic, p_envelope, p_producer, p_traceparent);
END;
$$;
