-- Expenses and categories. Keep in step with postgres/0004_expenses.sql.

CREATE TABLE categories (
    tenant_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    archived_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX categories_name_key ON categories (tenant_id, lower(name));

-- SQLite numbers rows itself: seq is the rowid (stable, as an INTEGER PRIMARY KEY alias), and
-- (tenant_id, id) is the unique key PostgreSQL has as its primary key.
CREATE TABLE expenses (
    seq INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES users (id),
    category_id TEXT,
    amount_minor INTEGER NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999999),
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    occurred_on TEXT NOT NULL CHECK (occurred_on BETWEEN '1900-01-01' AND '2999-12-31'),
    merchant TEXT NOT NULL DEFAULT '' CHECK (length(merchant) <= 200),
    note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    tags TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id)
) STRICT;
-- The rowid (seq) ends every index, so this one orders by (tenant, day, seq): the list, its
-- keyset pages, the exports and the per-day totals all walk it.
CREATE INDEX expenses_tenant_day_idx ON expenses (tenant_id, occurred_on);
