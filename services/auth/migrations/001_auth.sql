-- auth-service's tables (schema auth): accounts, login sessions (one per refresh-token family),
-- refresh tokens (hashed), signing keys (private halves encrypted).
CREATE SCHEMA IF NOT EXISTS auth;

CREATE TABLE auth.accounts (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  username text NOT NULL,
  password_hash text NOT NULL,
  roles text[] NOT NULL DEFAULT ARRAY['player'],
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'banned')),
  ban_reason text,
  banned_until timestamptz,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Case-insensitive uniqueness; the index names tell which field clashed.
CREATE UNIQUE INDEX accounts_email_key ON auth.accounts (lower(email));
CREATE UNIQUE INDEX accounts_username_key ON auth.accounts (lower(username));

CREATE TABLE auth.sessions (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES auth.accounts (id),
  client_id text NOT NULL,
  user_agent text,
  ip text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX sessions_account_idx ON auth.sessions (account_id, created_at DESC);

CREATE TABLE auth.refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES auth.sessions (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON auth.refresh_tokens (session_id);

CREATE TABLE auth.signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  public_jwk jsonb NOT NULL,
  -- AES-256-GCM of the private JWK: base64url(iv).base64url(tag).base64url(ciphertext)
  private_jwk_encrypted text NOT NULL,
  not_before timestamptz NOT NULL,
  not_after timestamptz NOT NULL,
  publish_until timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
