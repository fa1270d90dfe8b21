-- Budgets: an amount in the organization's currency per month, quarter or year, for the whole
-- organization or one category, and the alerts sent when its spending reaches a percent of it.
-- Keep in step with sqlite/0013_budgets.sql.
CREATE TABLE budgets (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    amount_minor bigint NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999999),
    period text NOT NULL CHECK (period IN ('month', 'quarter', 'year')),
    -- NULL: every expense counts. A category with a budget is not deleted (the service says so).
    category_id uuid,
    -- Ascending percents, comma-separated: "80,100".
    alert_percents text NOT NULL CHECK (alert_percents ~ '^[0-9]{1,4}(,[0-9]{1,4}){0,4}$'),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id)
);

-- One row per budget, period and percent reached: the key is what makes an alert go out once,
-- whichever server's transaction reaches the percent first (the others find the row there).
CREATE TABLE budget_alerts (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    budget_id uuid NOT NULL,
    period_start date NOT NULL,
    percent integer NOT NULL CHECK (percent BETWEEN 1 AND 1000),
    -- What had been spent when the percent was reached (minor units of the base currency).
    spent_minor text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, budget_id, period_start, percent),
    FOREIGN KEY (tenant_id, budget_id) REFERENCES budgets (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE budgets ENABLE ROW LEVEL SECURITY;
ALTER TABLE budgets FORCE ROW LEVEL SECURITY;
CREATE POLICY budgets_tenant ON budgets
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
ALTER TABLE budget_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE budget_alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY budget_alerts_tenant ON budget_alerts
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

-- Whether the organization keeps any budget, read with it on every request: logging an expense
-- in an organization without budgets then spends no statement on them.
ALTER TABLE organizations ADD COLUMN has_budgets boolean NOT NULL DEFAULT false;
