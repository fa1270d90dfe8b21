-- Imports. Keep in step with postgres/0016_imports.sql, which explains each piece.
CREATE TABLE imports (
    tenant_id TEXT NOT NULL REFERENCES organizations (id),
    id TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES users (id),
    format TEXT NOT NULL CHECK (format IN ('expenses-csv', 'bank-csv', 'ofx')),
    filename TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    dry_run INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    rows INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    preview TEXT NOT NULL DEFAULT '[]',
    detail TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX imports_recent_idx ON imports (tenant_id, created_at DESC);

ALTER TABLE expenses ADD COLUMN import_fingerprint TEXT CHECK (length(import_fingerprint) = 64);
CREATE UNIQUE INDEX expenses_import_key ON expenses (tenant_id, member_id, import_fingerprint)
    WHERE import_fingerprint IS NOT NULL;

-- The closed-period trigger lists every column of an expense: the new one joins the list.
DROP TRIGGER expenses_closed_update;
CREATE TRIGGER expenses_closed_update BEFORE UPDATE ON expenses
WHEN min(OLD.occurred_on, NEW.occurred_on) <= (SELECT closed_through FROM organizations WHERE id = OLD.tenant_id)
    AND (NEW.occurred_on IS NOT OLD.occurred_on OR NEW.amount_minor IS NOT OLD.amount_minor
        OR NEW.currency IS NOT OLD.currency OR NEW.category_id IS NOT OLD.category_id
        OR NEW.merchant IS NOT OLD.merchant OR NEW.note IS NOT OLD.note OR NEW.tags IS NOT OLD.tags
        OR NEW.member_id IS NOT OLD.member_id OR NEW.reimbursable IS NOT OLD.reimbursable
        OR NEW.recurring_id IS NOT OLD.recurring_id OR NEW.recurring_on IS NOT OLD.recurring_on
        OR NEW.import_fingerprint IS NOT OLD.import_fingerprint
        OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq
        OR NEW.created_at IS NOT OLD.created_at
        OR (OLD.base_amount_minor IS NOT NULL AND NEW.base_amount_minor IS NOT OLD.base_amount_minor))
BEGIN
    SELECT RAISE(ABORT, 'period_closed');
END;
