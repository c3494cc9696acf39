-- Orders that social closed (cancelled, completed, resolved) before economy held an escrow for
-- them: their settlement event found nothing to settle. A lock that arrives later for such an order
-- is refused; it would hold the payer's eddies for an order no settlement will ever come for.
CREATE TABLE mvp_core.escrow_closed_orders (
  order_id uuid PRIMARY KEY,
  order_status text NOT NULL,
  closed_at timestamptz NOT NULL DEFAULT now()
);
