-- Personal access tokens for integrations beside the tokens a login issues. A personal token
-- has no idle limit (its own expiry replaces the session limits), may be limited to reading
-- and to one organization. Keep in step with sqlite/0017_personal_access_tokens.sql.
ALTER TABLE api_tokens ADD COLUMN kind text NOT NULL DEFAULT 'session' CHECK (kind IN ('session', 'personal'));
ALTER TABLE api_tokens ADD COLUMN can_write boolean NOT NULL DEFAULT true;
ALTER TABLE api_tokens ADD COLUMN organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE;
CREATE INDEX api_tokens_organization_idx ON api_tokens (organization_id) WHERE organization_id IS NOT NULL;
