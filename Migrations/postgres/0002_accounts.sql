-- Accounts: lockout state, sessions, API tokens, one-time tokens, rate-limit counters.
-- All of these are global (per user or per client), not tenant-owned: no tenant_id, no RLS.
-- Every secret is stored as the SHA-256 (hex) of the value handed out, never the value itself.

ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until timestamptz;
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;

-- Queue order of the outbox, for workers and support tools (SQLite uses its rowid for the same).
ALTER TABLE outbox ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;

-- Browser sessions. The cookie holds a 256-bit random id; the row is keyed by its hash.
CREATE TABLE sessions (
    id_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The synchronizer token every form of this session must echo (CSRF).
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    -- The absolute limit; the idle limit is last_seen_at plus SESSION_IDLE_MINUTES.
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Bearer tokens for the JSON API.
CREATE TABLE api_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- Single-use tokens sent by email: password reset (1 hour) and email verification (24 hours).
CREATE TABLE account_tokens (
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

-- Fixed-window counters shared by every server process (rate limits, per IP and per account).
CREATE TABLE rate_limits (
    key text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    hits integer NOT NULL
);
