-- Crafting: workshops (rows seeded from the catalogue at start; status and capacity change by PATCH),
-- jobs with their clock (game seconds banked + the current run's wall-clock start), and district
-- stress learnt from world.unrest.updates.
CREATE TABLE mvp_core.crafting_workshops (
  id text PRIMARY KEY,
  district text NOT NULL,
  capacity integer NOT NULL CHECK (capacity >= 0),
  status text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'offline', 'maintenance')),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mvp_core.crafting_jobs (
  id uuid PRIMARY KEY,
  character_id uuid NOT NULL,
  blueprint_id text NOT NULL,
  workshop_id text NOT NULL REFERENCES mvp_core.crafting_workshops (id),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 100),
  output_template_id text NOT NULL,
  output_quantity integer NOT NULL CHECK (output_quantity >= 1),
  linked_order_id uuid,
  status text NOT NULL CHECK (status IN ('queued', 'processing', 'paused', 'completed', 'failed', 'cancelled')),
  materials jsonb NOT NULL,
  -- asset -> id of the pending transfer holding it
  holds jsonb NOT NULL,
  consumed jsonb NOT NULL DEFAULT '{}',
  duration_seconds double precision NOT NULL CHECK (duration_seconds > 0),
  progress_seconds double precision NOT NULL DEFAULT 0,
  time_scale double precision NOT NULL CHECK (time_scale > 0),
  started_at timestamptz,
  due_at timestamptz,
  reported_percent integer NOT NULL DEFAULT 0,
  queued_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crafting_jobs_character ON mvp_core.crafting_jobs (character_id, queued_at DESC);
CREATE INDEX crafting_jobs_due ON mvp_core.crafting_jobs (due_at) WHERE status = 'processing';
CREATE INDEX crafting_jobs_queue ON mvp_core.crafting_jobs (workshop_id, queued_at) WHERE status = 'queued';

CREATE TABLE mvp_core.district_stress (
  district text PRIMARY KEY,
  tier text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
