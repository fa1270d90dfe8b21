-- Organizations: the audit log, and at most one open invitation per address and organization.
-- Keep in step with postgres/0003_organizations.sql.

CREATE TABLE audit_log (
    tenant_id TEXT NOT NULL REFERENCES organizations (id),
    id TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    subject_type TEXT NOT NULL CHECK (length(subject_type) BETWEEN 1 AND 64),
    subject_id TEXT,
    details TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, created_at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE UNIQUE INDEX invitations_open_email_key ON invitations (tenant_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
