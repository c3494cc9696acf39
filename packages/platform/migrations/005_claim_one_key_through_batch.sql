-- One rule for claiming Idempotency-Keys (a new key, or an expired one taken over): the single-key
-- claim of 002 now goes through 003's batch claim with no answer yet, instead of repeating its
-- INSERT … ON CONFLICT. Same contract as in 002.
CREATE OR REPLACE FUNCTION mvp_meta.claim_idempotency_key(
  p_scope text,
  p_key text,
  p_request_hash text,
  p_expires_at timestamptz
) RETURNS TABLE (claimed boolean, request_hash text, status integer, body jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  IF EXISTS (
    SELECT 1 FROM mvp_meta.claim_idempotency_keys(
      ARRAY[p_scope], ARRAY[p_key], ARRAY[p_request_hash], ARRAY[p_expires_at], ARRAY[NULL::integer], ARRAY[NULL::jsonb])
  ) THEN
    RETURN QUERY SELECT true, p_request_hash, NULL::integer, NULL::jsonb;
    RETURN;
  END IF;
  RETURN QUERY SELECT false, k.request_hash, k.status, k.body
    FROM mvp_meta.idempotency_keys AS k WHERE k.scope = p_scope AND k.key = p_key;
END;
$$;
