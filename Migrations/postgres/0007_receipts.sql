-- Receipts: files attached to expenses. Keep in step with sqlite/0007_receipts.sql.
--
-- The bytes are stored once per organization and content (receipt_files, keyed by SHA-256) in
-- rows of at most 256 KiB (receipt_chunks), because the driver holds a whole bind or row in
-- memory: a 10 MiB file never sits in memory at once. A receipt names an expense and a file;
-- two uploads of the same file share one file row, which counts its receipts and is deleted
-- (with its chunks) by the trigger below when the last of them goes.

CREATE TABLE receipt_files (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    size bigint NOT NULL CHECK (size > 0),
    -- The ZIP export writes each entry's CRC-32 before its bytes, so it is kept from the upload.
    crc32 bigint NOT NULL CHECK (crc32 BETWEEN 0 AND 4294967295),
    kind text NOT NULL CHECK (kind IN ('jpeg', 'png', 'webp', 'heic', 'pdf')),
    chunk_count integer NOT NULL CHECK (chunk_count > 0),
    receipt_count integer NOT NULL CHECK (receipt_count >= 0),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);

CREATE TABLE receipt_chunks (
    tenant_id uuid NOT NULL,
    sha256 bytea NOT NULL,
    position integer NOT NULL CHECK (position >= 0),
    data bytea NOT NULL,
    PRIMARY KEY (tenant_id, sha256, position),
    FOREIGN KEY (tenant_id, sha256) REFERENCES receipt_files (tenant_id, sha256) ON DELETE CASCADE
);
-- JPEG, HEIC and PDF do not compress: store the bytes as they are, out of line.
ALTER TABLE receipt_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE receipts (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    -- Upload order: an expense's receipts are listed, and archived, in it.
    seq bigint GENERATED ALWAYS AS IDENTITY,
    expense_id uuid NOT NULL,
    sha256 bytea NOT NULL,
    filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    uploaded_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, expense_id) REFERENCES expenses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, sha256) REFERENCES receipt_files (tenant_id, sha256) ON DELETE CASCADE
);
-- An expense's receipts (its page, receipt_count, has_receipt); a file's receipts.
CREATE INDEX receipts_expense_idx ON receipts (tenant_id, expense_id);
CREATE INDEX receipts_file_idx ON receipts (tenant_id, sha256);

ALTER TABLE receipt_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE receipt_files FORCE ROW LEVEL SECURITY;
CREATE POLICY receipt_files_tenant ON receipt_files
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

ALTER TABLE receipt_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE receipt_chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY receipt_chunks_tenant ON receipt_chunks
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

ALTER TABLE receipts ENABLE ROW LEVEL SECURITY;
ALTER TABLE receipts FORCE ROW LEVEL SECURITY;
CREATE POLICY receipts_tenant ON receipts
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

-- A receipt that goes (removed, or with its expense) releases its file; the file goes with its
-- last receipt. The upload counts the new receipt in the same upsert that finds or creates the
-- file, so the file row is locked before either side decides.
CREATE FUNCTION receipts_release_file() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE receipt_files SET receipt_count = receipt_count - 1
        WHERE tenant_id = OLD.tenant_id AND sha256 = OLD.sha256;
    DELETE FROM receipt_files
        WHERE tenant_id = OLD.tenant_id AND sha256 = OLD.sha256 AND receipt_count = 0;
    RETURN NULL;
END $$;

CREATE TRIGGER receipts_release_file AFTER DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION receipts_release_file();
