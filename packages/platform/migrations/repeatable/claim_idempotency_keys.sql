-- The live definition of mvp_meta.claim_idempotency_keys.
-- The migration runner runs this file again at start whenever its text changes (repeatable
-- definitions, packages/platform/src/sql/migrations.ts): change the function here, never in a
-- numbered migration. Changing its arguments or result type also takes a numbered migration that
-- drops the old function first (CREATE OR REPLACE cannot change those).
--
-- Claims the new (or expired) keys among the given ones, in (scope, key) order so that racing
-- batches queue instead of deadlocking, and stores with each the answer its request gives when the
-- transaction commits. Returns the keys claimed; a key not returned is live (its stored answer is
-- the caller's to replay). A concurrent claimer of the same key waits until the first transaction ends.
CREATE OR REPLACE FUNCTION mvp_meta.claim_idempotency_keys(
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
