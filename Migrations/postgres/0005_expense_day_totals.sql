-- Per-day sums of expenses, kept by triggers in the same statement as the change, so a report
-- reads at most a row per day, currency, category and member instead of every expense (a year
-- of a million-expense tenant: about 25,000 rows instead of 500,000; docs/benchmarks.md).
-- SQLite computes the same sums from expenses directly (sqlite/0005 is empty on purpose).

CREATE TABLE expense_day_totals (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    occurred_on date NOT NULL,
    currency char(3) NOT NULL,
    -- The nil UUID stands for "no category", so the key has no NULL in it.
    category_key uuid NOT NULL,
    member_id uuid NOT NULL,
    -- numeric: exact and unbounded, so no sum can overflow.
    amount_minor numeric NOT NULL,
    expense_count bigint NOT NULL,
    PRIMARY KEY (tenant_id, occurred_on, currency, category_key, member_id)
);

ALTER TABLE expense_day_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE expense_day_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY expense_day_totals_tenant ON expense_day_totals
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

-- One statement-level function for the three triggers: it folds the rows a statement added
-- (new_rows, counted +1) and removed (old_rows, counted -1) into the day sums, keys in order so
-- that concurrent statements lock them in the same order.
CREATE FUNCTION expense_day_totals_apply() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO expense_day_totals AS t
            (tenant_id, occurred_on, currency, category_key, member_id, amount_minor, expense_count)
        SELECT tenant_id, occurred_on, currency, COALESCE(category_id, '00000000-0000-0000-0000-000000000000'),
               member_id, SUM(amount_minor), COUNT(*)
        FROM new_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant_id, occurred_on, currency, category_key, member_id) DO UPDATE
            SET amount_minor = t.amount_minor + EXCLUDED.amount_minor,
                expense_count = t.expense_count + EXCLUDED.expense_count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO expense_day_totals AS t
            (tenant_id, occurred_on, currency, category_key, member_id, amount_minor, expense_count)
        SELECT tenant_id, occurred_on, currency, COALESCE(category_id, '00000000-0000-0000-0000-000000000000'),
               member_id, -SUM(amount_minor), -COUNT(*)
        FROM old_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant_id, occurred_on, currency, category_key, member_id) DO UPDATE
            SET amount_minor = t.amount_minor + EXCLUDED.amount_minor,
                expense_count = t.expense_count + EXCLUDED.expense_count;
    ELSE
        INSERT INTO expense_day_totals AS t
            (tenant_id, occurred_on, currency, category_key, member_id, amount_minor, expense_count)
        SELECT tenant_id, occurred_on, currency, category_key, member_id, SUM(amount_minor), SUM(n)
        FROM (
            SELECT tenant_id, occurred_on, currency,
                   COALESCE(category_id, '00000000-0000-0000-0000-000000000000') AS category_key, member_id,
                   amount_minor::numeric AS amount_minor, 1 AS n
            FROM new_rows
            UNION ALL
            SELECT tenant_id, occurred_on, currency,
                   COALESCE(category_id, '00000000-0000-0000-0000-000000000000'), member_id,
                   -amount_minor::numeric, -1
            FROM old_rows
        ) AS changes
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant_id, occurred_on, currency, category_key, member_id) DO UPDATE
            SET amount_minor = t.amount_minor + EXCLUDED.amount_minor,
                expense_count = t.expense_count + EXCLUDED.expense_count;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER expense_day_totals_insert AFTER INSERT ON expenses
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION expense_day_totals_apply();
CREATE TRIGGER expense_day_totals_update AFTER UPDATE ON expenses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION expense_day_totals_apply();
CREATE TRIGGER expense_day_totals_delete AFTER DELETE ON expenses
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION expense_day_totals_apply();

-- The sums of the expenses already there. Row security binds even the owning role (FORCE), so
-- it is lifted for this one statement, inside this migration's transaction.
ALTER TABLE expenses NO FORCE ROW LEVEL SECURITY;
ALTER TABLE expense_day_totals NO FORCE ROW LEVEL SECURITY;
INSERT INTO expense_day_totals (tenant_id, occurred_on, currency, category_key, member_id, amount_minor, expense_count)
SELECT tenant_id, occurred_on, currency, COALESCE(category_id, '00000000-0000-0000-0000-000000000000'), member_id,
       SUM(amount_minor), COUNT(*)
FROM expenses GROUP BY 1, 2, 3, 4, 5;
ALTER TABLE expenses FORCE ROW LEVEL SECURITY;
ALTER TABLE expense_day_totals FORCE ROW LEVEL SECURITY;
