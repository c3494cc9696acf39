-- The live definition of mvp_meta.claim_idempotency_key.
-- The migration runner runs this file again at start whenever its text changes (repeatable
-- definitions, packages/platform/src/sql/migrations.ts): change the function here, never in a
-- numbered migration. Changing its arguments or result type also takes a numbered migration that
-- drops the old function first (CREATE OR REPLACE cannot change those).
--
-- Claims a new key (or takes over an expired one) and returns claimed = true; a live key returns
-- what it holds (its request hash and, once its request finished, the stored answer). A concurrent
-- claimer of the same key waits here until the first transaction ends. The claim itself goes through
-- `claim_idempotency_keys` with no answer yet, so one rule claims keys.
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
