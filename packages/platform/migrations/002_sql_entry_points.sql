-- The platform's rules for idempotency keys and outbox rows as SQL functions, so that a service's
-- one-statement hot path (a stored procedure doing its whole change in one round trip) writes them
-- exactly as the TypeScript side does: both call these.

-- Claims a new key (or takes over an expired one) and returns claimed = true; a live key returns
-- what it holds (its request hash and, once its request finished, the stored answer). A concurrent
-- claimer of the same key waits here until the first transaction ends.
CREATE FUNCTION mvp_meta.claim_idempotency_key(
  p_scope text,
  p_key text,
  p_request_hash text,
  p_expires_at timestamptz
) RETURNS TABLE (claimed boolean, request_hash text, status integer, body jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  INSERT INTO mvp_meta.idempotency_keys AS k (scope, key, request_hash, status, body, expires_at)
  VALUES (p_scope, p_key, p_request_hash, NULL, NULL, p_expires_at)
  ON CONFLICT (scope, key) DO UPDATE
    SET request_hash = excluded.request_hash, status = NULL, body = NULL, created_at = now(),
        expires_at = excluded.expires_at
    WHERE k.expires_at < now();
  IF FOUND THEN
    RETURN QUERY SELECT true, p_request_hash, NULL::integer, NULL::jsonb;
    RETURN;
  END IF;
  RETURN QUERY SELECT false, k.request_hash, k.status, k.body
    FROM mvp_meta.idempotency_keys AS k WHERE k.scope = p_scope AND k.key = p_key;
END;
$$;

-- Stores the answer of the request that claimed the key, in the transaction that did its work.
-- (PL/pgSQL rather than SQL functions: their plans are cached per connection, not made per call.)
CREATE FUNCTION mvp_meta.store_idempotent_response(p_scope text, p_key text, p_status integer, p_body jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE mvp_meta.idempotency_keys SET status = p_status, body = p_body WHERE scope = p_scope AND key = p_key;
END;
$$;

-- One outbox row: the event's id, topic, key, envelope (the payload column), producer and
-- traceparent, as `outboxRow` (packages/platform/src/events/outbox.ts) builds them.
CREATE FUNCTION mvp_meta.write_outbox(
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
