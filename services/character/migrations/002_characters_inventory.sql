-- character-service's tables: characters, their inventory, and the record of idempotent grants.
CREATE TABLE IF NOT EXISTS mvp_core.characters (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL,
  name text NOT NULL,
  name_key text NOT NULL,
  origin text NOT NULL,
  class text NOT NULL,
  faction text,
  appearance jsonb NOT NULL DEFAULT '{}'::jsonb,
  district text NOT NULL,
  attributes jsonb NOT NULL,
  skills jsonb NOT NULL,
  level integer NOT NULL CHECK (level >= 1),
  xp integer NOT NULL CHECK (xp >= 0),
  health integer NOT NULL CHECK (health >= 0),
  reputation integer NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

-- A name is taken while its character is live; a deleted one's name is free until it is restored.
CREATE UNIQUE INDEX IF NOT EXISTS characters_live_name ON mvp_core.characters (name_key) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS characters_by_account ON mvp_core.characters (account_id, created_at, id);

CREATE TABLE IF NOT EXISTS mvp_core.inventory_items (
  id uuid PRIMARY KEY,
  character_id uuid NOT NULL REFERENCES mvp_core.characters (id),
  template_id text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  slot text,
  durability integer,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The last line of defence for "one item per slot", behind the row lock on the character.
CREATE UNIQUE INDEX IF NOT EXISTS inventory_items_slot ON mvp_core.inventory_items (character_id, slot)
  WHERE slot IS NOT NULL;
CREATE INDEX IF NOT EXISTS inventory_items_by_character ON mvp_core.inventory_items (character_id, created_at, id);

CREATE TABLE IF NOT EXISTS mvp_core.inventory_grants (
  source text NOT NULL,
  source_id text NOT NULL,
  character_id uuid NOT NULL REFERENCES mvp_core.characters (id),
  template_id text NOT NULL,
  quantity integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, source_id)
);
