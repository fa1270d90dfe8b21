-- Organizations: the audit log, and at most one open invitation per address and organization.

-- Who did what to which record, and when: append-only, per tenant.
CREATE TABLE audit_log (
    tenant_id uuid NOT NULL REFERENCES organizations (id),
    id uuid NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    -- No foreign key: the record outlives the account that acted.
    actor_id uuid,
    actor_name text,
    action text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    subject_type text NOT NULL CHECK (length(subject_type) BETWEEN 1 AND 64),
    subject_id text,
    -- JSON: {"before": {...}, "after": {...}} or other facts of the change.
    details text,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_tenant_seq_idx ON audit_log (tenant_id, seq DESC);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
-- Read and append within the tenant; there is no UPDATE or DELETE policy, so under FORCEd row
-- security no role the server can run as may change or remove an entry.
CREATE POLICY audit_log_read ON audit_log FOR SELECT USING (tenant_id = app_tenant_id());
CREATE POLICY audit_log_append ON audit_log FOR INSERT WITH CHECK (tenant_id = app_tenant_id());

-- And a trigger, so that even a superuser's accidental UPDATE or DELETE is refused.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- One open invitation per address and organization (an expired one is revoked before a new one).
CREATE UNIQUE INDEX invitations_open_email_key ON invitations (tenant_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
