-- Escrow per player order: the payer's funds held two-phase (pending to the order's escrow account),
-- then released, refunded or split once; the history says who did what when.
CREATE TABLE mvp_core.escrows (
  order_id uuid PRIMARY KEY,
  payer_character_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  commission bigint NOT NULL CHECK (commission >= 0),
  status text NOT NULL CHECK (status IN ('locked', 'released', 'refunded', 'split')),
  hold_transfer_id uuid NOT NULL REFERENCES mvp_core.ledger_transfers (id),
  executor_character_id uuid,
  executor_amount bigint NOT NULL DEFAULT 0 CHECK (executor_amount >= 0),
  refund_amount bigint NOT NULL DEFAULT 0 CHECK (refund_amount >= 0),
  commission_taken bigint NOT NULL DEFAULT 0 CHECK (commission_taken >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mvp_core.escrow_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES mvp_core.escrows (order_id),
  status text NOT NULL,
  executor_amount bigint NOT NULL,
  refund_amount bigint NOT NULL,
  commission_taken bigint NOT NULL,
  actor_id text,
  source text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX escrow_history_order ON mvp_core.escrow_history (order_id, id);
