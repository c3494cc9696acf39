-- An accept's choice of application, made by the accept's own statement once its update holds the
-- order's row: a VOLATILE plpgsql function's statements take fresh snapshots, so they see what
-- committed while the accept waited for the row (an apply holds it shared until it commits, a
-- withdrawal exclusively), which the calling statement's own snapshot predates. The chosen
-- application accepted and every other submitted one rejected; when the chosen one is not submitted
-- (withdrawn in the race, or not on the order), SQLSTATE SO409 fails the whole statement, the
-- order's change with it.
CREATE FUNCTION mvp_core.social_choose_application(p_order uuid, p_chosen uuid, p_at timestamptz)
RETURNS uuid
VOLATILE
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM mvp_core.social_applications
  WHERE order_id = p_order AND application_id = p_chosen AND status = 'submitted';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'application % of order % is not submitted', p_chosen, p_order USING ERRCODE = 'SO409';
  END IF;
  UPDATE mvp_core.social_applications
  SET status = CASE WHEN application_id = p_chosen THEN 'accepted' ELSE 'rejected' END, updated_at = p_at
  WHERE order_id = p_order AND status = 'submitted';
  RETURN p_chosen;
END
$$;
