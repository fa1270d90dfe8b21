-- Two-factor sign-in: each account's TOTP secret (sealed with AES-GCM under SECRET_KEY, never
-- stored in the clear), its single-use recovery codes (SHA-256 only), the short-lived challenge
-- between a right password and the code, and an organization's rule that its members enrol.
-- Keep in step with sqlite/0018_second_factor.sql.
ALTER TABLE users ADD COLUMN second_factor_enabled boolean NOT NULL DEFAULT false;
ALTER TABLE organizations ADD COLUMN require_second_factor boolean NOT NULL DEFAULT false;

CREATE TABLE second_factors (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed text NOT NULL,
    created_at timestamptz NOT NULL,
    -- Null until a first code proves the authenticator app holds the secret.
    confirmed_at timestamptz,
    -- The newest time step accepted: no code of it or of an earlier step is accepted again.
    last_step bigint
);

CREATE TABLE recovery_codes (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash text NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE login_challenges (
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    failures integer NOT NULL DEFAULT 0
);
CREATE INDEX login_challenges_user_idx ON login_challenges (user_id);
