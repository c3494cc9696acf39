-- Combat: the mods installed on weapons (weapons and mods are character-service's items; gameplay
-- keeps which mod item sits in which slot of which weapon) and every simulation, stored with its
-- inputs, seed, ruleset and result for telemetry and replay.
CREATE TABLE mvp_core.gameplay_weapon_mods (
  weapon_id uuid NOT NULL,
  slot text NOT NULL CHECK (slot IN ('barrel', 'scope', 'stock', 'chip', 'magazine')),
  character_id uuid NOT NULL,
  mod_item_id uuid NOT NULL,
  mod_id text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (weapon_id, slot),
  -- One mod item sits on one weapon (in one slot) at a time, whatever two requests race.
  CONSTRAINT gameplay_weapon_mods_one_weapon_per_item UNIQUE (mod_item_id)
);
CREATE INDEX gameplay_weapon_mods_character ON mvp_core.gameplay_weapon_mods (character_id);

CREATE TABLE mvp_core.gameplay_simulations (
  id uuid PRIMARY KEY,
  combat_id uuid NOT NULL,
  character_id uuid NOT NULL,
  account_id uuid NOT NULL,
  weapon_id uuid NOT NULL,
  weapon_class text NOT NULL,
  -- The model's inputs: the shot request (seed included) and the loadout it ran with.
  request jsonb NOT NULL,
  loadout jsonb NOT NULL,
  seed bigint NOT NULL CHECK (seed BETWEEN 0 AND 4294967295),
  ruleset_version text NOT NULL,
  ruleset_fingerprint text NOT NULL,
  -- The answer as the caller got it.
  result jsonb NOT NULL,
  mode text NOT NULL CHECK (mode IN ('direct', 'ricochet', 'curved_shot')),
  hit boolean NOT NULL,
  damage_dealt double precision NOT NULL,
  ricochet_count integer NOT NULL,
  curved_shot_used boolean NOT NULL,
  district text,
  linked_order_id uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gameplay_simulations_combat ON mvp_core.gameplay_simulations (combat_id);
