-- The live definition of mvp_meta.write_outbox_rows.
-- The migration runner runs this file again at start whenever its text changes (repeatable
-- definitions, packages/platform/src/sql/migrations.ts): change the function here, never in a
-- numbered migration. Changing its arguments or result type also takes a numbered migration that
-- drops the old function first (CREATE OR REPLACE cannot change those).
--
-- Outbox rows as `write_outbox` writes one, in the given order, with one INSERT.
CREATE OR REPLACE FUNCTION mvp_meta.write_outbox_rows(
  p_ids uuid[],
  p_topics text[],
  p_keys text[],
  p_envelopes jsonb[],
  p_producers text[],
  p_traceparents text[]
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mvp_meta.outbox (id, aggregatetype, aggregateid, type, payload, producer, tracingspancontext)
  SELECT t.id, t.topic, t.key, t.topic, t.envelope, t.producer, t.traceparent
    FROM unnest(p_ids, p_topics, p_keys, p_envelopes, p_producers, p_traceparents)
      WITH ORDINALITY AS t (id, topic, key, envelope, producer, traceparent, position)
    ORDER BY t.position;
END;
$$;
