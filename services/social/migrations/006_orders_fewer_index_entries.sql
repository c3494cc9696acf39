-- Each order journey writes its order's row about eight times, and a status change is never a HOT
-- update (the status is in two indexes and in the predicates of three): every full index takes a new
-- entry each time. Two changes make fewer of them:
-- * Room on each page for a new version of a row: the escrow news (src/store/orders.ts,
--   setEscrowStatuses) changes no indexed column, so with room on the page it is a HOT update and
--   writes no index entry at all; at 100% fill it never found any.
-- * The executor's and the rehire indexes only over the rows they can answer for: every query that
--   reads them names an executor (`executor_character_id = $1`, which implies it is not null) or
--   compares `accepted_at` (likewise), so the versions of an order before its accept (created,
--   published, its escrow locked) need no entry in either.
ALTER TABLE mvp_core.social_orders SET (fillfactor = 75);

DROP INDEX mvp_core.social_orders_executor;
CREATE INDEX social_orders_executor ON mvp_core.social_orders (executor_character_id, status)
  WHERE executor_character_id IS NOT NULL;
DROP INDEX mvp_core.social_orders_hires;
CREATE INDEX social_orders_hires ON mvp_core.social_orders (customer_character_id, executor_character_id, accepted_at)
  WHERE accepted_at IS NOT NULL;
