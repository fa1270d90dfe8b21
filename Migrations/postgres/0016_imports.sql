-- Imports: each one's record (what, by whom, how it went), and on each imported expense the
-- fingerprint that recognizes its row when the same file comes again. Keep in step with
-- sqlite/0016_imports.sql.
CREATE TABLE imports (
    tenant_id uuid NOT NULL REFERENCES organizations (id),
    id uuid NOT NULL,
    -- Whose expenses the rows become: the member who imported.
    member_id uuid NOT NULL REFERENCES users (id),
    format text NOT NULL CHECK (format IN ('expenses-csv', 'bank-csv', 'ofx')),
    filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    dry_run boolean NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    rows integer NOT NULL DEFAULT 0,
    imported integer NOT NULL DEFAULT 0,
    skipped integer NOT NULL DEFAULT 0,
    error_count integer NOT NULL DEFAULT 0,
    -- JSON: the first 1,000 problems, [{row, field, detail}]; the first rows as read.
    errors text NOT NULL DEFAULT '[]',
    preview text NOT NULL DEFAULT '[]',
    -- Why the whole file was refused, when it was.
    detail text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    finished_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX imports_recent_idx ON imports (tenant_id, created_at DESC);

ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE imports FORCE ROW LEVEL SECURITY;
CREATE POLICY imports_tenant ON imports
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

-- SHA-256 (hex) of the row's source id (an OFX FITID, our export's id, a bank's id column), or
-- of its fields and its occurrence among identical rows of the file.
ALTER TABLE expenses ADD COLUMN import_fingerprint text CHECK (import_fingerprint ~ '^[0-9a-f]{64}$');
CREATE UNIQUE INDEX expenses_import_key ON expenses (tenant_id, member_id, import_fingerprint)
    WHERE import_fingerprint IS NOT NULL;
