-- The outbox's NOTIFY names the producers of each insert (comma-separated), so a relay can wake for
-- its own service's rows only (OutboxRelay's `wakeOn`): with services in separate processes over one
-- database, every relay used to wake, scan and find nothing on every commit of every service.
CREATE OR REPLACE FUNCTION mvp_meta.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mvp_meta_outbox', coalesce((SELECT string_agg(DISTINCT producer, ',') FROM inserted), ''));
  RETURN NULL;
END;
$$;

DROP TRIGGER outbox_notify ON mvp_meta.outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON mvp_meta.outbox
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION mvp_meta.notify_outbox();
