-- A transaction takes its transaction id before its first outbox number, so that a number visible
-- to a relay tells it which transactions could still commit rows numbered below it: those running
-- when it looked (OutboxRelay's scan floor). Without this, PostgreSQL gives the id at the row's
-- insert, after the number: a transaction between the two would be invisible to that reasoning.
CREATE FUNCTION mvp_meta.outbox_take_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_current_xact_id();
  RETURN NULL;
END;
$$;

-- A statement trigger fires before the statement computes any row, so before its first number.
CREATE TRIGGER outbox_take_xid BEFORE INSERT ON mvp_meta.outbox
  FOR EACH STATEMENT EXECUTE FUNCTION mvp_meta.outbox_take_xid();
