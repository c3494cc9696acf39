-- Where a relay's scans may start (its scan floor, outbox-scan-floor.ts), kept for the relays that
-- start later: no pending index holds the pending rows alone any more (migration 008), and a relay
-- with no floor yet walks every sent row the retention keeps (an hour of events) in its first
-- scans. Keyed by the producers the relay sends ('*' for every producer): a floor is valid for every
-- relay of the same producers, and never stops being valid (no row below it can turn out pending).
CREATE TABLE mvp_meta.outbox_floors (
  producers text PRIMARY KEY,
  seq bigint NOT NULL
);
