-- The live definition of mvp_meta.outbox_take_xid.
-- The migration runner runs this file again at start whenever its text changes (repeatable
-- definitions, packages/platform/src/sql/migrations.ts): change the function here, never in a
-- numbered migration. Changing its arguments or result type also takes a numbered migration that
-- drops the old function first (CREATE OR REPLACE cannot change those).
--
-- The trigger function of `outbox_take_xid` (migration 006): a transaction takes its transaction id
-- before its first outbox number, so that a number visible to a relay tells it which transactions
-- could still commit rows numbered below it (OutboxRelay's scan floor).
CREATE OR REPLACE FUNCTION mvp_meta.outbox_take_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_current_xact_id();
  RETURN NULL;
END;
$$;
