-- Budgets and their alerts. Keep in step with postgres/0013_budgets.sql, which says more.
CREATE TABLE budgets (
    tenant_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    amount_minor INTEGER NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999999),
    period TEXT NOT NULL CHECK (period IN ('month', 'quarter', 'year')),
    category_id TEXT,
    alert_percents TEXT NOT NULL CHECK (length(alert_percents) BETWEEN 1 AND 24),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id)
) STRICT;

CREATE TABLE budget_alerts (
    tenant_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    budget_id TEXT NOT NULL,
    period_start TEXT NOT NULL,
    percent INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 1000),
    spent_minor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, budget_id, period_start, percent),
    FOREIGN KEY (tenant_id, budget_id) REFERENCES budgets (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Whether the organization keeps any budget, read with it on every request: logging an expense
-- in an organization without budgets then spends no statement on them.
ALTER TABLE organizations ADD COLUMN has_budgets INTEGER NOT NULL DEFAULT 0;
