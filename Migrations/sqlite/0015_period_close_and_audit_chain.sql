-- Closed books and a tamper-evident audit log. Keep in step with
-- postgres/0015_period_close_and_audit_chain.sql, which explains each piece; SQLite has no
-- SHA-256, so the server computes each entry's hash (and, below, the existing entries' hashes
-- in the `chain_audit_log` step) and the triggers here keep the sequence and the head.

CREATE TABLE period_closes (
    tenant_id TEXT NOT NULL REFERENCES organizations (id),
    seq INTEGER NOT NULL CHECK (seq >= 1),
    action TEXT NOT NULL CHECK (action IN ('close', 'reopen')),
    through TEXT CHECK (through BETWEEN '1900-01-01' AND '2999-12-31'),
    reason TEXT CHECK (length(reason) <= 500),
    actor_id TEXT,
    actor_name TEXT,
    audit_seq INTEGER NOT NULL,
    audit_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    CHECK (action = 'reopen' OR through IS NOT NULL),
    CHECK (action = 'close' OR length(trim(reason)) >= 1)
) STRICT;

CREATE TRIGGER period_closes_no_update BEFORE UPDATE ON period_closes
BEGIN
    SELECT RAISE(ABORT, 'period_closes is append-only');
END;
CREATE TRIGGER period_closes_no_delete BEFORE DELETE ON period_closes
BEGIN
    SELECT RAISE(ABORT, 'period_closes is append-only');
END;

ALTER TABLE organizations ADD COLUMN closed_through TEXT;
ALTER TABLE organizations ADD COLUMN audit_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN audit_hash TEXT NOT NULL
    DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';

CREATE TRIGGER period_closes_apply AFTER INSERT ON period_closes
BEGIN
    UPDATE organizations SET closed_through = NEW.through WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER organizations_closed_through_guard BEFORE UPDATE OF closed_through ON organizations
WHEN NEW.closed_through IS NOT OLD.closed_through
    AND NEW.closed_through IS NOT (
        SELECT through FROM period_closes WHERE tenant_id = NEW.id ORDER BY seq DESC LIMIT 1)
BEGIN
    SELECT RAISE(ABORT, 'organizations.closed_through follows period_closes: add a close or reopen row');
END;

-- The message `period_closed` is what the server answers with 409. Every column of an expense
-- is listed except claim_id, version and updated_at, and base_amount_minor while it is NULL: a
-- column added to expenses later belongs in this list too.
CREATE TRIGGER expenses_closed_insert BEFORE INSERT ON expenses
WHEN NEW.occurred_on <= (SELECT closed_through FROM organizations WHERE id = NEW.tenant_id)
BEGIN
    SELECT RAISE(ABORT, 'period_closed');
END;
CREATE TRIGGER expenses_closed_delete BEFORE DELETE ON expenses
WHEN OLD.occurred_on <= (SELECT closed_through FROM organizations WHERE id = OLD.tenant_id)
BEGIN
    SELECT RAISE(ABORT, 'period_closed');
END;
CREATE TRIGGER expenses_closed_update BEFORE UPDATE ON expenses
WHEN min(OLD.occurred_on, NEW.occurred_on) <= (SELECT closed_through FROM organizations WHERE id = OLD.tenant_id)
    AND (NEW.occurred_on IS NOT OLD.occurred_on OR NEW.amount_minor IS NOT OLD.amount_minor
        OR NEW.currency IS NOT OLD.currency OR NEW.category_id IS NOT OLD.category_id
        OR NEW.merchant IS NOT OLD.merchant OR NEW.note IS NOT OLD.note OR NEW.tags IS NOT OLD.tags
        OR NEW.member_id IS NOT OLD.member_id OR NEW.reimbursable IS NOT OLD.reimbursable
        OR NEW.recurring_id IS NOT OLD.recurring_id OR NEW.recurring_on IS NOT OLD.recurring_on
        OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq
        OR NEW.created_at IS NOT OLD.created_at
        OR (OLD.base_amount_minor IS NOT NULL AND NEW.base_amount_minor IS NOT OLD.base_amount_minor))
BEGIN
    SELECT RAISE(ABORT, 'period_closed');
END;

CREATE TRIGGER receipts_closed_insert BEFORE INSERT ON receipts
WHEN EXISTS (
    SELECT 1 FROM expenses e JOIN organizations o ON o.id = e.tenant_id
    WHERE e.tenant_id = NEW.tenant_id AND e.id = NEW.expense_id AND e.occurred_on <= o.closed_through)
BEGIN
    SELECT RAISE(ABORT, 'period_closed');
END;
CREATE TRIGGER receipts_closed_change BEFORE UPDATE ON receipts
WHEN EXISTS (
    SELECT 1 FROM expenses e JOIN organizations o ON o.id = e.tenant_id
    WHERE e.tenant_id = OLD.tenant_id AND e.id IN (OLD.expense_id, NEW.expense_id)
        AND e.occurred_on <= o.closed_through)
BEGIN
    SELECT RAISE(ABORT, 'period_closed');
END;
-- A receipt's stored bytes never change once written: they are addressed by their SHA-256.
CREATE TRIGGER receipt_chunks_unchanging BEFORE UPDATE ON receipt_chunks
BEGIN
    SELECT RAISE(ABORT, 'receipt_chunks is append-only');
END;
CREATE TRIGGER receipts_closed_delete BEFORE DELETE ON receipts
WHEN EXISTS (
    SELECT 1 FROM expenses e JOIN organizations o ON o.id = e.tenant_id
    WHERE e.tenant_id = OLD.tenant_id AND e.id = OLD.expense_id AND e.occurred_on <= o.closed_through)
BEGIN
    SELECT RAISE(ABORT, 'period_closed');
END;

-- Occurrences of a recurring expense that fell in a closed period are not written; the
-- schedule counts them and keeps the last such date, for its page to say.
ALTER TABLE recurring_expenses ADD COLUMN skipped_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recurring_expenses ADD COLUMN last_skipped_on TEXT;

-- The audit chain: the server computes each entry's hash over the head's hash and the entry's
-- canonical bytes; here an entry must take the next number, and it becomes the head.
ALTER TABLE audit_log ADD COLUMN chain_seq INTEGER;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

DROP TRIGGER audit_log_no_update;
-- step: chain_audit_log
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE UNIQUE INDEX audit_log_chain_key ON audit_log (tenant_id, chain_seq);
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
WHEN NEW.hash IS NULL OR length(NEW.hash) <> 64
    OR NEW.chain_seq IS NOT (SELECT audit_seq + 1 FROM organizations WHERE id = NEW.tenant_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_log entries take the next number of their chain');
END;
CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log
BEGIN
    UPDATE organizations SET audit_seq = NEW.chain_seq, audit_hash = NEW.hash WHERE id = NEW.tenant_id;
END;
