-- The platform's shared tables: the outbox every service writes its events to, the record of
-- events each consumer group has processed, idempotency keys and dead letters.
CREATE SCHEMA IF NOT EXISTS mvp_meta;

-- Column names follow Debezium's outbox event router defaults (id, aggregatetype, aggregateid,
-- type, payload), so Debezium can relay this table instead of the built-in relay.
CREATE TABLE mvp_meta.outbox (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  aggregatetype text NOT NULL,
  aggregateid text NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL,
  producer text NOT NULL,
  tracingspancontext text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX outbox_pending_idx ON mvp_meta.outbox (seq) WHERE sent_at IS NULL;

-- Wakes relays at once instead of waiting for their next poll.
CREATE FUNCTION mvp_meta.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mvp_meta_outbox', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON mvp_meta.outbox
  FOR EACH STATEMENT EXECUTE FUNCTION mvp_meta.notify_outbox();

CREATE TABLE mvp_meta.processed_events (
  consumer_group text NOT NULL,
  event_id uuid NOT NULL,
  topic text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);

CREATE TABLE mvp_meta.idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer,
  body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON mvp_meta.idempotency_keys (expires_at);

CREATE TABLE mvp_meta.dead_letters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer_group text NOT NULL,
  topic text NOT NULL,
  event_id text NOT NULL,
  envelope jsonb NOT NULL,
  error text NOT NULL,
  attempts integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
