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
CREATE FUNCTION mvp_meta.store_idempotent_response(p_scope text, p_key text, p_status integer, p_body jsonb)
RETURNS void LANGUAGE sql AS $$
  UPDATE mvp_meta.idempotency_keys SET status = p_status, body = p_body WHERE scope = p_scope AND key = p_key;
$$;

-- One outbox row from the object `outboxRow` (packages/platform/src/events/outbox.ts) builds.
CREATE FUNCTION mvp_meta.write_outbox(p_row jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO mvp_meta.outbox (id, aggregatetype, aggregateid, type, payload, producer, tracingspancontext)
  VALUES (
    (p_row ->> 'id')::uuid,
    p_row ->> 'aggregatetype',
    p_row ->> 'aggregateid',
    p_row ->> 'type',
    p_row -> 'payload',
    p_row ->> 'producer',
    p_row ->> 'tracingspancontext'
  );
$$;
