-- The live definition of mvp_meta.notify_outbox.
-- The migration runner runs this file again at start whenever its text changes (repeatable
-- definitions, packages/platform/src/sql/migrations.ts): change the function here, never in a
-- numbered migration. Changing its arguments or result type also takes a numbered migration that
-- drops the old function first (CREATE OR REPLACE cannot change those).
--
-- The trigger function of `outbox_notify` (migrations 001, 004): wakes relays at once instead of at
-- their next poll. The NOTIFY names the producers of the insert (comma-separated), so a relay wakes
-- for its own service's rows only (OutboxRelay's `wakeOn`).
CREATE OR REPLACE FUNCTION mvp_meta.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mvp_meta_outbox', coalesce((SELECT string_agg(DISTINCT producer, ',') FROM inserted), ''));
  RETURN NULL;
END;
$$;
