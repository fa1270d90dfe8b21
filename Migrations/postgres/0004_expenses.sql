-- Expenses and categories. Keep in step with sqlite/0004_expenses.sql.

CREATE TABLE categories (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    archived_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- One name per organization, whatever the case; archived ones keep theirs.
CREATE UNIQUE INDEX categories_name_key ON categories (tenant_id, lower(name));

CREATE TABLE expenses (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    -- Insertion order, the tiebreak of "newest first" after the date (and of the keyset cursor).
    seq bigint GENERATED ALWAYS AS IDENTITY,
    -- Who logged it. Not a membership key: the expense stays when its author leaves.
    member_id uuid NOT NULL REFERENCES users (id),
    category_id uuid,
    amount_minor bigint NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999999),
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    occurred_on date NOT NULL CHECK (occurred_on BETWEEN '1900-01-01' AND '2999-12-31'),
    merchant text NOT NULL DEFAULT '' CHECK (length(merchant) <= 200),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    -- Normalized tags between commas (",travel,client-x,"), so one tag is a substring test.
    tags text NOT NULL DEFAULT '',
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id)
);
-- Serves the newest-first list and keyset pages (scanned backwards), the exports (forwards),
-- and the per-day totals as an index-only scan: the columns a report reads are included.
CREATE INDEX expenses_tenant_day_idx ON expenses (tenant_id, occurred_on, seq)
    INCLUDE (amount_minor, currency, category_id, member_id);

ALTER TABLE categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE categories FORCE ROW LEVEL SECURITY;
CREATE POLICY categories_tenant ON categories
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

ALTER TABLE expenses ENABLE ROW LEVEL SECURITY;
ALTER TABLE expenses FORCE ROW LEVEL SECURITY;
CREATE POLICY expenses_tenant ON expenses
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
