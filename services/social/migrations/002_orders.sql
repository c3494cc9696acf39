-- Player orders and everything that hangs on them (shared/DOMAIN.md, Player orders, ratings and arbitration).
CREATE TABLE mvp_core.social_orders (
  order_id uuid PRIMARY KEY,
  customer_character_id uuid NOT NULL,
  customer_account_id uuid NOT NULL,
  customer_faction text,
  order_type text NOT NULL,
  title text NOT NULL,
  description text NOT NULL,
  district_id text NOT NULL,
  reward integer NOT NULL CHECK (reward > 0),
  commission integer CHECK (commission >= 0),
  deadline timestamptz NOT NULL,
  access_level text NOT NULL,
  invited_character_ids jsonb NOT NULL DEFAULT '[]',
  min_executor_rating integer,
  status text NOT NULL,
  executor_character_id uuid,
  executor_account_id uuid,
  executor_share_percent integer,
  delivery jsonb,
  escrow_status text,
  published_at timestamptz,
  accepted_at timestamptz,
  delivered_at timestamptz,
  finished_at timestamptz,
  -- Set once the clock saw an accepted or in-progress order pass its deadline undelivered.
  overdue boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX social_orders_created ON mvp_core.social_orders (created_at DESC, order_id DESC);
CREATE INDEX social_orders_customer ON mvp_core.social_orders (customer_character_id, status);
CREATE INDEX social_orders_executor ON mvp_core.social_orders (executor_character_id, status);
-- A customer's rehires (the customer score's RB): has this customer hired this executor before?
CREATE INDEX social_orders_hires ON mvp_core.social_orders (customer_character_id, executor_character_id, accepted_at);
-- What the schedulers look for: published orders by deadline, deliveries by time.
CREATE INDEX social_orders_published_deadline ON mvp_core.social_orders (deadline) WHERE status = 'published';
CREATE INDEX social_orders_delivered_at ON mvp_core.social_orders (delivered_at) WHERE status = 'delivered';

CREATE TABLE mvp_core.social_applications (
  application_id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES mvp_core.social_orders (order_id),
  character_id uuid NOT NULL,
  account_id uuid NOT NULL,
  bid integer,
  cover_letter text,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- One live application per character per order, whatever races.
CREATE UNIQUE INDEX social_applications_live ON mvp_core.social_applications (order_id, character_id)
  WHERE status IN ('submitted', 'accepted');
CREATE INDEX social_applications_order ON mvp_core.social_applications (order_id, created_at, application_id);

CREATE TABLE mvp_core.social_disputes (
  dispute_id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES mvp_core.social_orders (order_id),
  opened_by_character_id uuid NOT NULL,
  opened_by_account_id uuid NOT NULL,
  reason text NOT NULL,
  evidence jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL,
  executor_share_percent integer,
  note text,
  resolved_by text,
  opened_at timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE INDEX social_disputes_order ON mvp_core.social_disputes (order_id);
CREATE INDEX social_disputes_open ON mvp_core.social_disputes (opened_at, dispute_id) WHERE status = 'open';
CREATE INDEX social_disputes_account ON mvp_core.social_disputes (opened_by_account_id) WHERE status = 'open';

CREATE TABLE mvp_core.social_reviews (
  order_id uuid NOT NULL REFERENCES mvp_core.social_orders (order_id),
  author_character_id uuid NOT NULL,
  subject_character_id uuid NOT NULL,
  -- The role the subject played in the order: executor or customer.
  subject_role text NOT NULL,
  rating integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (order_id, author_character_id)
);
CREATE INDEX social_reviews_subject ON mvp_core.social_reviews (subject_character_id, subject_role);

CREATE TABLE mvp_core.social_timeline (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES mvp_core.social_orders (order_id),
  kind text NOT NULL,
  from_status text,
  to_status text,
  actor text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL
);
CREATE INDEX social_timeline_order ON mvp_core.social_timeline (order_id, id);

-- A character's score in each role: what its history earned, its peak, and the score shown after decay.
CREATE TABLE mvp_core.social_ratings (
  character_id uuid NOT NULL,
  role text NOT NULL,
  earned double precision NOT NULL,
  peak double precision NOT NULL,
  score double precision NOT NULL,
  last_order_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (character_id, role)
);
CREATE INDEX social_ratings_idle ON mvp_core.social_ratings (last_order_at);
