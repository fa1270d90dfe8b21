-- Recurring expenses: an expense template and a rule; the worker writes each due occurrence as
-- an ordinary expense carrying the schedule's id and its date. Keep in step with
-- sqlite/0014_recurring_expenses.sql.
CREATE TABLE recurring_expenses (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    -- Whose expenses the occurrences are.
    member_id uuid NOT NULL REFERENCES users (id),
    amount_minor bigint NOT NULL CHECK (amount_minor BETWEEN -999999999999999 AND 999999999999999),
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    category_id uuid,
    merchant text NOT NULL DEFAULT '' CHECK (length(merchant) <= 200),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    tags text NOT NULL DEFAULT '',
    reimbursable boolean NOT NULL DEFAULT true,
    frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly', 'yearly')),
    interval_count integer NOT NULL CHECK (interval_count BETWEEN 1 AND 1000),
    start_on date NOT NULL CHECK (start_on BETWEEN '1900-01-01' AND '2999-12-31'),
    end_on date CHECK (end_on >= start_on),
    max_count integer CHECK (max_count BETWEEN 1 AND 100000),
    paused boolean NOT NULL DEFAULT false,
    -- The last day the worker has written occurrences up to (NULL: none yet); later edits of
    -- the rule never reach back before it.
    created_through date,
    created_count integer NOT NULL DEFAULT 0,
    -- The next occurrence still to write; NULL once the rule has ended.
    next_on date,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id)
);

ALTER TABLE recurring_expenses ENABLE ROW LEVEL SECURITY;
ALTER TABLE recurring_expenses FORCE ROW LEVEL SECURITY;
CREATE POLICY recurring_expenses_tenant ON recurring_expenses
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
-- The worker finds due schedules across organizations in a transaction that says it is the
-- scheduler (`app.scope`, set only by its own scan): read-only, and only unpaused schedules
-- with a next date. It then writes each one in that organization's own transaction, under the
-- policy above.
CREATE POLICY recurring_expenses_scheduler ON recurring_expenses FOR SELECT
    USING (current_setting('app.scope', true) = 'scheduler' AND NOT paused AND next_on IS NOT NULL);
CREATE INDEX recurring_expenses_due_idx ON recurring_expenses (next_on) WHERE NOT paused AND next_on IS NOT NULL;

-- An occurrence is an ordinary expense that names its schedule and date: at most one per
-- schedule and date, whichever worker writes it. No foreign key: deleting a schedule keeps
-- what it created.
ALTER TABLE expenses ADD COLUMN recurring_id uuid;
ALTER TABLE expenses ADD COLUMN recurring_on date;
CREATE UNIQUE INDEX expenses_recurring_key ON expenses (tenant_id, recurring_id, recurring_on)
    WHERE recurring_id IS NOT NULL;
