-- The rules of 002 for a batch in one statement each, for stored procedures that do the work of many
-- requests at once (economy's batched ledger posting): claiming many Idempotency-Keys, giving back
-- those whose work did not happen, and writing many outbox rows.

-- Claims the new (or expired) keys among the given ones, in (scope, key) order so that racing
-- batches queue instead of deadlocking, and stores with each the answer its request gives when the
-- transaction commits. Returns the keys claimed; a key not returned is live (its stored answer is
-- the caller's to replay). A concurrent claimer of the same key waits until the first transaction ends.
CREATE FUNCTION mvp_meta.claim_idempotency_keys(
  p_scopes text[],
  p_keys text[],
  p_request_hashes text[],
  p_expires_at timestamptz[],
  p_statuses integer[],
  p_bodies jsonb[]
) RETURNS TABLE (scope text, key text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH claimed AS (
    INSERT INTO mvp_meta.idempotency_keys AS k (scope, key, request_hash, status, body, expires_at)
    SELECT t.scope, t.key, t.request_hash, t.status, t.body, t.expires_at
      FROM unnest(p_scopes, p_keys, p_request_hashes, p_expires_at, p_statuses, p_bodies)
        AS t (scope, key, request_hash, expires_at, status, body)
      ORDER BY t.scope, t.key
    ON CONFLICT (scope, key) DO UPDATE
      SET request_hash = excluded.request_hash, status = excluded.status, body = excluded.body, created_at = now(),
          expires_at = excluded.expires_at
      WHERE k.expires_at < now()
    RETURNING k.scope, k.key
  )
  SELECT claimed.scope, claimed.key FROM claimed;
END;
$$;

-- Gives back keys claimed in this transaction whose work did not happen (a refusal), so the same
-- request may run again.
CREATE FUNCTION mvp_meta.release_idempotency_keys(p_scopes text[], p_keys text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mvp_meta.idempotency_keys AS k
    USING unnest(p_scopes, p_keys) AS t (scope, key)
    WHERE k.scope = t.scope AND k.key = t.key;
END;
$$;

-- Outbox rows as `write_outbox` writes one, in the given order, with one INSERT.
CREATE FUNCTION mvp_meta.write_outbox_rows(
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
