-- The escrow functions (repeatable/escrow_movements.sql) in fewer statements: under the order
-- journeys their inner statements were a quarter of PostgreSQL's CPU, each one a round of the
-- executor and a snapshot (a lock used to run about 15, a settlement about 12). The outbox rows are
-- now written by the statement that writes the escrow, so the helper that wrote them goes.
DROP FUNCTION IF EXISTS mvp_core.escrow_write_events(jsonb);

-- An escrow's history line is written only by the statement that inserts or changes its escrow, from
-- that statement's own RETURNING row (escrow_lock, escrow_settle), and no escrow is ever deleted: the
-- foreign key proved nothing those statements do not, and its check took a key-share lock on the
-- escrow row (a WAL record) at every lock and settlement. What kept it honest now: escrows cannot be
-- deleted or truncated at all.
ALTER TABLE mvp_core.escrow_history DROP CONSTRAINT escrow_history_order_id_fkey;

-- The guard of a table whose rows others name without a foreign key (here and in migration 014).
CREATE FUNCTION mvp_core.economy_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % refused: other rows name its rows without a foreign key', TG_OP, TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER escrows_never_removed BEFORE DELETE OR TRUNCATE ON mvp_core.escrows
  FOR EACH STATEMENT EXECUTE FUNCTION mvp_core.economy_refuse_change();
