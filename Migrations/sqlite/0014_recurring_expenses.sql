-- Recurring expenses. Keep in step with postgres/0014_recurring_expenses.sql, which says more.
CREATE TABLE recurring_expenses (
    tenant_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES users (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor BETWEEN -999999999999999 AND 999999999999999),
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    category_id TEXT,
    merchant TEXT NOT NULL DEFAULT '' CHECK (length(merchant) <= 200),
    note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    tags TEXT NOT NULL DEFAULT '',
    reimbursable INTEGER NOT NULL DEFAULT 1,
    frequency TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly', 'yearly')),
    interval_count INTEGER NOT NULL CHECK (interval_count BETWEEN 1 AND 1000),
    start_on TEXT NOT NULL CHECK (start_on BETWEEN '1900-01-01' AND '2999-12-31'),
    end_on TEXT CHECK (end_on >= start_on),
    max_count INTEGER CHECK (max_count BETWEEN 1 AND 100000),
    paused INTEGER NOT NULL DEFAULT 0,
    created_through TEXT,
    created_count INTEGER NOT NULL DEFAULT 0,
    next_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id)
) STRICT;
CREATE INDEX recurring_expenses_due_idx ON recurring_expenses (next_on) WHERE NOT paused AND next_on IS NOT NULL;

ALTER TABLE expenses ADD COLUMN recurring_id TEXT;
ALTER TABLE expenses ADD COLUMN recurring_on TEXT;
CREATE UNIQUE INDEX expenses_recurring_key ON expenses (tenant_id, recurring_id, recurring_on)
    WHERE recurring_id IS NOT NULL;
