-- Receipts: files attached to expenses. Keep in step with postgres/0007_receipts.sql, which
-- says why the bytes are kept once per content in chunks.

CREATE TABLE receipt_files (
    tenant_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    sha256 BLOB NOT NULL CHECK (length(sha256) = 32),
    size INTEGER NOT NULL CHECK (size > 0),
    crc32 INTEGER NOT NULL CHECK (crc32 BETWEEN 0 AND 4294967295),
    kind TEXT NOT NULL CHECK (kind IN ('jpeg', 'png', 'webp', 'heic', 'pdf')),
    chunk_count INTEGER NOT NULL CHECK (chunk_count > 0),
    receipt_count INTEGER NOT NULL CHECK (receipt_count >= 0),
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
) STRICT;

CREATE TABLE receipt_chunks (
    tenant_id TEXT NOT NULL,
    sha256 BLOB NOT NULL,
    position INTEGER NOT NULL CHECK (position >= 0),
    data BLOB NOT NULL,
    PRIMARY KEY (tenant_id, sha256, position),
    FOREIGN KEY (tenant_id, sha256) REFERENCES receipt_files (tenant_id, sha256) ON DELETE CASCADE
) STRICT;

-- seq is the rowid (upload order), as in expenses; (tenant_id, id) is the unique key.
CREATE TABLE receipts (
    seq INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    expense_id TEXT NOT NULL,
    sha256 BLOB NOT NULL,
    filename TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, expense_id) REFERENCES expenses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, sha256) REFERENCES receipt_files (tenant_id, sha256) ON DELETE CASCADE
) STRICT;
CREATE INDEX receipts_expense_idx ON receipts (tenant_id, expense_id);
CREATE INDEX receipts_file_idx ON receipts (tenant_id, sha256);

-- A receipt that goes (removed, or with its expense) releases its file; the file goes with its
-- last receipt.
CREATE TRIGGER receipts_release_file AFTER DELETE ON receipts
BEGIN
    UPDATE receipt_files SET receipt_count = receipt_count - 1
        WHERE tenant_id = OLD.tenant_id AND sha256 = OLD.sha256;
    DELETE FROM receipt_files
        WHERE tenant_id = OLD.tenant_id AND sha256 = OLD.sha256 AND receipt_count = 0;
END;
