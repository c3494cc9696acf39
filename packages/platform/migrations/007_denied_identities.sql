-- Ended sessions and account bans: the deny-list every token verifier checks. auth-service writes a
-- row in the transaction that ends the session or bans the account; the cache (Redis or memory) only
-- caches these rows and is filled from here again after a restart of a process or of Redis.
-- kind 'session': every token of the session `id` is refused.
-- kind 'account': every token of the account `id` issued before `denied_at` (its latest ban) is refused.
-- A row matters only while a token it refuses can live: `expires_at` is `denied_at` plus the
-- access-token lifetime and the clock skew allowed; expired rows are swept.
CREATE TABLE mvp_meta.denied_identities (
  kind text NOT NULL CHECK (kind IN ('session', 'account')),
  id text NOT NULL,
  denied_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE INDEX denied_identities_expiry_idx ON mvp_meta.denied_identities (expires_at);
