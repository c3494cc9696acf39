-- world-service: districts and their unrest, its history (every impact), event counters, escalation.
CREATE TABLE mvp_core.world_districts (
  id text PRIMARY KEY,
  level double precision NOT NULL CHECK (level >= 0 AND level <= 100),
  -- The last impact on the district: drift starts after an hour (game time) without one.
  changed_at timestamptz NOT NULL DEFAULT now()
);

-- Every change of a district's level, one row per impact; its id is the impactId of the event.
CREATE TABLE mvp_core.world_unrest_history (
  id uuid PRIMARY KEY,
  district_id text NOT NULL REFERENCES mvp_core.world_districts (id),
  at timestamptz NOT NULL,
  delta double precision NOT NULL,
  level_after double precision NOT NULL,
  source_type text NOT NULL,
  source_id text NOT NULL,
  actor_id text,
  requested_delta double precision NOT NULL,
  multiplier double precision NOT NULL DEFAULT 1
);
CREATE INDEX world_unrest_history_district ON mvp_core.world_unrest_history (district_id, at DESC, id DESC);
CREATE INDEX world_unrest_history_source ON mvp_core.world_unrest_history (source_type, source_id);

-- "Every 20 ballistics events", "every 10 crafting jobs": counted in the table so restarts keep the count.
CREATE TABLE mvp_core.world_event_counters (
  district_id text NOT NULL REFERENCES mvp_core.world_districts (id),
  kind text NOT NULL,
  count bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (district_id, kind)
);

-- Since when a district has been at or above each escalating tier's floor (the escalation dwell).
CREATE TABLE mvp_core.world_escalation_dwell (
  district_id text NOT NULL REFERENCES mvp_core.world_districts (id),
  tier text NOT NULL,
  since timestamptz NOT NULL,
  PRIMARY KEY (district_id, tier)
);

CREATE TABLE mvp_core.world_scenarios (
  id uuid PRIMARY KEY,
  district_id text NOT NULL REFERENCES mvp_core.world_districts (id),
  kind text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'completed', 'cancelled')),
  origin text NOT NULL CHECK (origin IN ('escalation', 'operator')),
  started_at timestamptz NOT NULL,
  started_by text,
  ended_at timestamptz,
  ended_by text
);
-- At most one active scenario per district, whoever starts it (replicas' schedulers, operators).
CREATE UNIQUE INDEX world_scenarios_one_active ON mvp_core.world_scenarios (district_id) WHERE status = 'active';
CREATE INDEX world_scenarios_started ON mvp_core.world_scenarios (started_at DESC, id DESC);
