-- The live definition of mvp_meta.release_idempotency_keys.
-- The migration runner runs this file again at start whenever its text changes (repeatable
-- definitions, packages/platform/src/sql/migrations.ts): change the function here, never in a
-- numbered migration. Changing its arguments or result type also takes a numbered migration that
-- drops the old function first (CREATE OR REPLACE cannot change those).
--
-- Gives back keys claimed in this transaction whose work did not happen (a refusal), so the same
-- request may run again.
CREATE OR REPLACE FUNCTION mvp_meta.release_idempotency_keys(p_scopes text[], p_keys text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mvp_meta.idempotency_keys AS k
    USING unnest(p_scopes, p_keys) AS t (scope, key)
    WHERE k.scope = t.scope AND k.key = t.key;
END;
$$;
