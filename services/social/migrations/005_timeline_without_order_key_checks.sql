-- Every order transition writes its timeline line in the statement that changes the order, from that
-- statement's RETURNING row (src/store/after-change.ts), and an application is inserted from its
-- order's row, read FOR SHARE by the same statement (src/store/applications.ts); the few other
-- lines (disputes, reviews, the deadline clock) are written in a transaction that read or locked
-- their order first. No order is ever deleted. So these two foreign keys proved nothing those
-- statements do not, while their checks were 8 statements per order journey, each taking a key-share
-- lock on the order row the statement had just changed (a WAL record and a dirtied page every time).
-- What keeps them honest now: orders cannot be deleted or truncated at all. (Disputes and reviews,
-- rare, keep theirs.)
ALTER TABLE mvp_core.social_timeline DROP CONSTRAINT social_timeline_order_id_fkey;
ALTER TABLE mvp_core.social_applications DROP CONSTRAINT social_applications_order_id_fkey;

CREATE FUNCTION mvp_core.social_refuse_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never removed: other rows name them without a foreign key', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER social_orders_never_removed BEFORE DELETE OR TRUNCATE ON mvp_core.social_orders
  FOR EACH STATEMENT EXECUTE FUNCTION mvp_core.social_refuse_removal();
