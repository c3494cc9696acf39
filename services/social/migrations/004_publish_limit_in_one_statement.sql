-- A publish's open-order limit, checked by the publish's own statement: the customer's advisory lock
-- (held to the end of the transaction), then its open orders counted. A VOLATILE plpgsql function's
-- query takes a fresh snapshot after the lock is granted, so it sees the publishes that committed
-- while it waited (a count in the calling statement would use that statement's older snapshot).
CREATE FUNCTION mvp_core.social_open_orders_serialized(p_customer uuid, p_open_statuses text[])
RETURNS bigint
VOLATILE
LANGUAGE plpgsql AS $$
DECLARE
  v_open bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(7302, hashtext(p_customer::text));
  SELECT count(*) INTO v_open FROM mvp_core.social_orders
  WHERE customer_character_id = p_customer AND status = ANY (p_open_statuses);
  RETURN v_open;
END
$$;
