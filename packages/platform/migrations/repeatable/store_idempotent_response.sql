-- The live definition of mvp_meta.store_idempotent_response.
-- The migration runner runs this file again at start whenever its text changes (repeatable
-- definitions, packages/platform/src/sql/migrations.ts): change the function here, never in a
-- numbered migration. Changing its arguments or result type also takes a numbered migration that
-- drops the old function first (CREATE OR REPLACE cannot change those).
--
-- Stores the answer of the request that claimed the key, in the transaction that did its work.
-- (PL/pgSQL rather than SQL functions: their plans are cached per connection, not made per call.)
CREATE OR REPLACE FUNCTION mvp_meta.store_idempotent_response(p_scope text, p_key text, p_status integer, p_body jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE mvp_meta.idempotency_keys SET status = p_status, body = p_body WHERE scope = p_scope AND key = p_key;
END;
$$;
