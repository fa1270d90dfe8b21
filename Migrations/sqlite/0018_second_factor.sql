-- Two-factor sign-in: each account's TOTP secret (sealed with AES-GCM under SECRET_KEY, never
-- stored in the clear), its single-use recovery codes (SHA-256 only), the short-lived challenge
-- between a right password and the code, and an organization's rule that its members enrol.
-- Keep in step with postgres/0018_second_factor.sql.
ALTER TABLE users ADD COLUMN second_factor_enabled INTEGER NOT NULL DEFAULT 0 CHECK (second_factor_enabled IN (0, 1));
ALTER TABLE organizations ADD COLUMN require_second_factor INTEGER NOT NULL DEFAULT 0
    CHECK (require_second_factor IN (0, 1));

CREATE TABLE second_factors (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    last_step INTEGER
) STRICT;

CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

CREATE TABLE login_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX login_challenges_user_idx ON login_challenges (user_id);
