-- Closed books and a tamper-evident audit log. Keep in step with
-- sqlite/0015_period_close_and_audit_chain.sql; the README ("Closed periods", "The audit chain")
-- describes both to the people who rely on them.

-- Every close and reopen, append-only. The newest row's `through` is the organization's
-- closed-through date (NULL: nothing closed); a trigger copies it to `organizations`, the row
-- every expense write locks, and refuses any other change of that copy, so a hand-written
-- statement can reopen the books only by leaving a reopen row with its reason here.
CREATE TABLE period_closes (
    tenant_id uuid NOT NULL REFERENCES organizations (id),
    seq bigint NOT NULL CHECK (seq >= 1),
    action text NOT NULL CHECK (action IN ('close', 'reopen')),
    through date CHECK (through BETWEEN '1900-01-01' AND '2999-12-31'),
    reason text CHECK (length(reason) <= 500),
    actor_id uuid,
    actor_name text,
    -- The audit chain's head once the change was logged: a figure to keep outside the database.
    audit_seq bigint NOT NULL,
    audit_hash text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    CHECK (action = 'reopen' OR through IS NOT NULL),
    CHECK (action = 'close' OR length(btrim(reason)) >= 1)
);
ALTER TABLE period_closes ENABLE ROW LEVEL SECURITY;
ALTER TABLE period_closes FORCE ROW LEVEL SECURITY;
CREATE POLICY period_closes_read ON period_closes FOR SELECT USING (tenant_id = app_tenant_id());
CREATE POLICY period_closes_append ON period_closes FOR INSERT WITH CHECK (tenant_id = app_tenant_id());

CREATE FUNCTION refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER period_closes_append_only BEFORE UPDATE OR DELETE ON period_closes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

ALTER TABLE organizations ADD COLUMN closed_through date;
-- The audit chain's head: the newest entry's sequence number and hash (64 zeros before any).
ALTER TABLE organizations ADD COLUMN audit_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN audit_hash text NOT NULL
    DEFAULT '0000000000000000000000000000000000000000000000000000000000000000'
    CHECK (audit_hash ~ '^[0-9a-f]{64}$');

CREATE FUNCTION period_closes_apply() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE organizations SET closed_through = NEW.through WHERE id = NEW.tenant_id;
    RETURN NULL;
END $$;
CREATE TRIGGER period_closes_apply AFTER INSERT ON period_closes
    FOR EACH ROW EXECUTE FUNCTION period_closes_apply();

CREATE FUNCTION organizations_closed_through_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.closed_through IS DISTINCT FROM (
        SELECT through FROM period_closes WHERE tenant_id = NEW.id ORDER BY seq DESC LIMIT 1
    ) THEN
        RAISE EXCEPTION 'organizations.closed_through follows period_closes: add a close or reopen row';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER organizations_closed_through_guard BEFORE UPDATE OF closed_through ON organizations
    FOR EACH ROW WHEN (NEW.closed_through IS DISTINCT FROM OLD.closed_through)
    EXECUTE FUNCTION organizations_closed_through_guard();

-- An expense dated on or before the closed-through date is not created, deleted, moved in or
-- out, or changed, except for its claim, its first base amount (a late rate), and the version
-- and time those bump. Each check first takes a KEY SHARE lock on the organization's row, which
-- expense writers share with each other and a close (FOR UPDATE) waits for, then reads the date
-- as committed: a close that commits meanwhile is seen, not raced. Inserts and deletes are
-- checked once per statement, so a bulk import pays once, not once per row.
-- SQLSTATE ETC01 is this application's "period closed"; the server answers it with 409.
CREATE FUNCTION expenses_rows_respect_close() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM organizations WHERE id IN (SELECT tenant_id FROM new_rows) FOR KEY SHARE;
        IF EXISTS (
            SELECT 1 FROM new_rows n JOIN organizations o ON o.id = n.tenant_id WHERE n.occurred_on <= o.closed_through
        ) THEN
            RAISE EXCEPTION USING ERRCODE = 'ETC01', MESSAGE = 'the books are closed for a date written';
        END IF;
    ELSE
        PERFORM 1 FROM organizations WHERE id IN (SELECT tenant_id FROM old_rows) FOR KEY SHARE;
        IF EXISTS (
            SELECT 1 FROM old_rows r JOIN organizations o ON o.id = r.tenant_id WHERE r.occurred_on <= o.closed_through
        ) THEN
            RAISE EXCEPTION USING ERRCODE = 'ETC01', MESSAGE = 'the books are closed for a date deleted';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER expenses_insert_respects_close AFTER INSERT ON expenses
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION expenses_rows_respect_close();
CREATE TRIGGER expenses_delete_respects_close AFTER DELETE ON expenses
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION expenses_rows_respect_close();

CREATE FUNCTION expenses_change_respects_close() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    closed date;
    free text[] := ARRAY['claim_id', 'base_amount_minor', 'version', 'updated_at'];
BEGIN
    SELECT closed_through INTO closed FROM organizations WHERE id = OLD.tenant_id FOR KEY SHARE;
    IF closed IS NULL OR (OLD.occurred_on > closed AND NEW.occurred_on > closed) THEN
        RETURN NEW;
    END IF;
    IF (to_jsonb(NEW) - free) = (to_jsonb(OLD) - free)
        AND (OLD.base_amount_minor IS NULL OR NEW.base_amount_minor IS NOT DISTINCT FROM OLD.base_amount_minor)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'ETC01', MESSAGE = format('the books are closed through %s', closed);
END $$;
CREATE TRIGGER expenses_change_respects_close BEFORE UPDATE ON expenses
    FOR EACH ROW EXECUTE FUNCTION expenses_change_respects_close();

-- A receipt is part of its expense: none is added to, removed from or moved onto or off a
-- closed-period expense. (Deleting an open expense removes its receipts after the expense row is
-- gone: allowed.) A receipt's stored bytes never change once written: they are addressed by
-- their SHA-256.
CREATE FUNCTION receipts_respect_close() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    closed date;
    tenant uuid := CASE WHEN TG_OP = 'INSERT' THEN NEW.tenant_id ELSE OLD.tenant_id END;
    touched uuid[] := CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[NEW.expense_id]
        WHEN 'DELETE' THEN ARRAY[OLD.expense_id]
        ELSE ARRAY[OLD.expense_id, NEW.expense_id] END;
BEGIN
    SELECT closed_through INTO closed FROM organizations WHERE id = tenant FOR KEY SHARE;
    IF closed IS NOT NULL AND EXISTS (
        SELECT 1 FROM expenses WHERE tenant_id = tenant AND id = ANY (touched) AND occurred_on <= closed
    ) THEN
        RAISE EXCEPTION USING ERRCODE = 'ETC01', MESSAGE = format('the books are closed through %s', closed);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER receipts_respect_close BEFORE INSERT OR UPDATE OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION receipts_respect_close();
CREATE TRIGGER receipt_chunks_unchanging BEFORE UPDATE ON receipt_chunks
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Occurrences of a recurring expense that fell in a closed period are not written; the
-- schedule counts them and keeps the last such date, for its page to say.
ALTER TABLE recurring_expenses ADD COLUMN skipped_count integer NOT NULL DEFAULT 0;
ALTER TABLE recurring_expenses ADD COLUMN last_skipped_on date;

-- The audit chain. Each entry's hash is SHA-256 over the previous entry's hash (32 bytes; zeros
-- before the first) followed by its canonical bytes: ten fields in this order, each as a 4-byte
-- big-endian length and its UTF-8 bytes, or FF FF FF FF for NULL: tenant_id, chain_seq, id,
-- actor_id (UUIDs lower-case with hyphens, the sequence in decimal), actor_name, action,
-- subject_type, subject_id, details, created_at (UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`). The
-- server's Swift verifier computes the same bytes independently of these functions.
ALTER TABLE audit_log ADD COLUMN chain_seq bigint;
ALTER TABLE audit_log ADD COLUMN hash text;

CREATE FUNCTION audit_field(value text) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE WHEN value IS NULL THEN '\xffffffff'::bytea
                ELSE int4send(octet_length(convert_to(value, 'UTF8'))) || convert_to(value, 'UTF8') END
$$;

CREATE FUNCTION audit_entry_hash(previous text, e audit_log) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT encode(sha256(
        decode(previous, 'hex')
        || audit_field(e.tenant_id::text) || audit_field(e.chain_seq::text) || audit_field(e.id::text)
        || audit_field(e.actor_id::text) || audit_field(e.actor_name) || audit_field(e.action)
        || audit_field(e.subject_type) || audit_field(e.subject_id) || audit_field(e.details)
        || audit_field(to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    ), 'hex')
$$;

-- Each new entry takes the next sequence number and links to the head under the organization's
-- row lock: writers in one organization take turns, other organizations are not held up. A
-- sequence or hash given by the writer is ignored.
CREATE FUNCTION audit_log_chain() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    head_seq bigint;
    head_hash text;
BEGIN
    SELECT audit_seq, audit_hash INTO head_seq, head_hash FROM organizations
    WHERE id = NEW.tenant_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit_log: organization % is not visible', NEW.tenant_id;
    END IF;
    NEW.chain_seq := head_seq + 1;
    NEW.hash := audit_entry_hash(head_hash, NEW);
    UPDATE organizations SET audit_seq = NEW.chain_seq, audit_hash = NEW.hash WHERE id = NEW.tenant_id;
    RETURN NEW;
END $$;

-- `expense-tracker audit verify` lists every organization in a transaction that says it is the
-- auditor (`app.scope`), then checks each chain in that organization's own transaction.
CREATE POLICY organizations_auditor_read ON organizations FOR SELECT
    USING (current_setting('app.scope', true) = 'auditor');

-- Chaining the entries already written spans every tenant: row security is lifted (as the
-- tables' owner) and the append-only trigger held while it runs; both are back before commit.
ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY;
ALTER TABLE organizations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE audit_log a SET chain_seq = n.chain_seq
FROM (SELECT tenant_id, id, row_number() OVER (PARTITION BY tenant_id ORDER BY seq) AS chain_seq FROM audit_log) n
WHERE a.tenant_id = n.tenant_id AND a.id = n.id;
DO $$
DECLARE
    e audit_log;
    previous text;
    tenant uuid;
BEGIN
    FOR e IN SELECT * FROM audit_log ORDER BY tenant_id, chain_seq LOOP
        IF tenant IS DISTINCT FROM e.tenant_id THEN
            tenant := e.tenant_id;
            previous := '0000000000000000000000000000000000000000000000000000000000000000';
        END IF;
        previous := audit_entry_hash(previous, e);
        UPDATE audit_log SET hash = previous WHERE tenant_id = e.tenant_id AND id = e.id;
    END LOOP;
END $$;
UPDATE organizations o SET audit_seq = h.chain_seq, audit_hash = h.hash
FROM (SELECT DISTINCT ON (tenant_id) tenant_id, chain_seq, hash FROM audit_log ORDER BY tenant_id, chain_seq DESC) h
WHERE o.id = h.tenant_id;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;

ALTER TABLE audit_log ALTER COLUMN chain_seq SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash SET NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_hash_check CHECK (hash ~ '^[0-9a-f]{64}$');
CREATE UNIQUE INDEX audit_log_chain_key ON audit_log (tenant_id, chain_seq);
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
