-- Double-entry ledger (shared/ARCHITECTURE.md, Data): accounts carry running balances updated in the
-- same transaction as the immutable transfer rows, so reads are one row and the audit can recompute.
CREATE TABLE mvp_core.ledger_accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('character', 'house', 'escrow', 'crafting_hold')),
  owner_id text NOT NULL CHECK (length(owner_id) BETWEEN 1 AND 64),
  asset text NOT NULL CHECK (length(asset) BETWEEN 1 AND 32),
  balance bigint NOT NULL DEFAULT 0,
  held bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, owner_id, asset),
  -- Only the house mints (goes negative); every other account covers its holds with posted value.
  CONSTRAINT ledger_accounts_covered CHECK (kind = 'house' OR balance >= held)
);

CREATE TABLE mvp_core.ledger_transfers (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  -- The caller's id for this movement: a second attempt with the same one finds the first.
  client_ref text NOT NULL UNIQUE CHECK (length(client_ref) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('posted', 'pending', 'post', 'void')),
  debit_account_id bigint NOT NULL REFERENCES mvp_core.ledger_accounts (id),
  credit_account_id bigint NOT NULL REFERENCES mvp_core.ledger_accounts (id),
  asset text NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  -- post and void: the pending transfer they resolve (at most once) and the hold they release.
  pending_id uuid UNIQUE REFERENCES mvp_core.ledger_transfers (id),
  released bigint NOT NULL DEFAULT 0 CHECK (released >= 0),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 64),
  memo text CHECK (length(memo) <= 200),
  actor_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (debit_account_id <> credit_account_id),
  CHECK ((kind IN ('post', 'void')) = (pending_id IS NOT NULL)),
  CHECK (kind = 'void' OR amount > 0),
  CHECK (kind IN ('post', 'void') OR released = 0)
);

CREATE INDEX ledger_transfers_debit ON mvp_core.ledger_transfers (debit_account_id, seq DESC);
CREATE INDEX ledger_transfers_credit ON mvp_core.ledger_transfers (credit_account_id, seq DESC);

-- What economy knows of characters, from characters.lifecycle: who owns them (the ownership check)
-- and their class (the skills crafting checks), kept by the consumer that grants the starting kit.
CREATE TABLE mvp_core.economy_characters (
  character_id uuid PRIMARY KEY,
  account_id text NOT NULL,
  origin text NOT NULL,
  class text NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX economy_characters_account ON mvp_core.economy_characters (account_id);
