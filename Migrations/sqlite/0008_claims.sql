-- Claims: a member's out-of-pocket expenses gathered to be approved and reimbursed. Keep in
-- step with postgres/0008_claims.sql, which says more.

-- seq is the rowid (creation order), as in expenses; (tenant_id, id) is the unique key.
CREATE TABLE claims (
    seq INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'reimbursed')),
    submitted_at TEXT,
    decided_at TEXT,
    decided_by TEXT REFERENCES users (id),
    comment TEXT NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    self_approved INTEGER NOT NULL DEFAULT 0,
    paid_on TEXT,
    reference TEXT NOT NULL DEFAULT '' CHECK (length(reference) <= 200),
    reimbursed_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    -- Ids are UUIDs, unique anyway: the column-level key below (all ALTER TABLE can add) needs it.
    UNIQUE (id)
) STRICT;

-- SQLite adds a column with a foreign key only when its default is NULL, which claim_id's is.
ALTER TABLE expenses ADD COLUMN reimbursable INTEGER NOT NULL DEFAULT 1;
ALTER TABLE expenses ADD COLUMN claim_id TEXT REFERENCES claims (id);
CREATE INDEX expenses_claim_idx ON expenses (tenant_id, claim_id) WHERE claim_id IS NOT NULL;
