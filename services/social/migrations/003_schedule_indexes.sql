-- The schedulers read only what is due, through an index, not the whole table each tick.
-- The overdue watch: accepted or in-progress orders the clock has not yet seen past their deadline.
CREATE INDEX social_orders_overdue_watch ON mvp_core.social_orders (deadline)
  WHERE status IN ('accepted', 'in_progress') AND NOT overdue;
-- The rating decay walks idle scores in pages by (last_order_at, character_id, role).
DROP INDEX mvp_core.social_ratings_idle;
CREATE INDEX social_ratings_idle ON mvp_core.social_ratings (last_order_at, character_id, role);
