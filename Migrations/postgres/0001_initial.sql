-- ExpenseTracker: the first schema.
--
-- Tenancy: an organization is a tenant. Every tenant-owned table carries tenant_id in its
-- primary key and in its foreign keys, so the schema can later be distributed by tenant.
-- Row-level security is ENABLEd and FORCEd on every tenant table (FORCE binds the owning role
-- too); the policies read transaction-local settings that the store sets with
-- set_config(..., true) at the start of each transaction:
--   app.tenant_id              the tenant the transaction works for
--   app.user_id                the signed-in user acting, when there is one
--   app.invitation_token_hash  the SHA-256 of an invitation token being accepted
-- An unset setting reads back as NULL or '' and matches nothing: no setting, no rows.

CREATE FUNCTION app_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE FUNCTION app_user_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

CREATE FUNCTION app_invitation_token_hash() RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.invitation_token_hash', true), '') $$;

-- Users are global: a person signs in once and belongs to any number of organizations.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash text NOT NULL,
    email_verified_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- The tenants. The organization's own id is its tenant id.
CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind text NOT NULL CHECK (kind IN ('business', 'cooperative', 'agency', 'school', 'personal')),
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    time_zone text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    week_start smallint NOT NULL DEFAULT 1 CHECK (week_start BETWEEN 1 AND 7),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);

CREATE TABLE memberships (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'finance', 'member', 'viewer')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE invitations (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    email text NOT NULL CHECK (email = lower(btrim(email))),
    role text NOT NULL CHECK (role IN ('admin', 'finance', 'member', 'viewer')),
    token_hash text NOT NULL,
    invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash);

-- Outbound mail, written in the same transaction as the change that causes it and drained by
-- the mail worker. Global: the worker serves every tenant, and account mail has no tenant.
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    message_id text NOT NULL UNIQUE,
    kind text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    body_text text,
    body_html text,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    locked_until timestamptz,
    last_error text,
    created_at timestamptz NOT NULL,
    sent_at timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');

-- Row-level security.

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
-- The tenant's own row: read, create (the store sets the new id as the tenant first), change.
CREATE POLICY organizations_tenant ON organizations
    USING (id = app_tenant_id())
    WITH CHECK (id = app_tenant_id());
-- "The organizations I belong to": readable by a member, across tenants, never writable so.
CREATE POLICY organizations_member_read ON organizations FOR SELECT
    USING (EXISTS (
        SELECT 1 FROM memberships m
        WHERE m.tenant_id = organizations.id AND m.user_id = app_user_id()
    ));
-- An invitation being accepted shows the name of the organization it is for.
CREATE POLICY organizations_invitation_read ON organizations FOR SELECT
    USING (EXISTS (
        SELECT 1 FROM invitations i
        WHERE i.tenant_id = organizations.id AND i.token_hash = app_invitation_token_hash()
    ));

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_tenant ON memberships
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
-- A user sees their own memberships in every tenant (to list and switch organizations).
CREATE POLICY memberships_self_read ON memberships FOR SELECT
    USING (user_id = app_user_id());

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_tenant ON invitations
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
-- Whoever holds an invitation's token may read that one invitation, and nothing else.
CREATE POLICY invitations_token_read ON invitations FOR SELECT
    USING (token_hash = app_invitation_token_hash());
