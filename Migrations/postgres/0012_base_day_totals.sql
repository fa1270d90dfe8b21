-- The per-day sums (0005) also sum each row's amounts in the organization's currency, and count
-- the expenses still without one, so a report in the base currency reads the same few rows. The
-- triggers keep them in the same statement as the change, a base amount filled in by a rate
-- included. Keep in step with sqlite/0012_base_day_totals.sql.
ALTER TABLE expense_day_totals ADD COLUMN base_minor numeric NOT NULL DEFAULT 0;
ALTER TABLE expense_day_totals ADD COLUMN unconverted_count bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION expense_day_totals_apply() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- The rows a statement added count +1 and those it removed -1, folded per key in key order
    -- (concurrent statements lock keys in the same order). A transition table exists only for
    -- the operations that have it, hence the three branches.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO expense_day_totals AS t
            (tenant_id, occurred_on, currency, category_key, member_id, amount_minor, expense_count, base_minor,
             unconverted_count)
        SELECT tenant_id, occurred_on, currency, COALESCE(category_id, '00000000-0000-0000-0000-000000000000'),
               member_id, SUM(amount_minor), COUNT(*), COALESCE(SUM(base_amount_minor), 0),
               COUNT(*) - COUNT(base_amount_minor)
        FROM new_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant_id, occurred_on, currency, category_key, member_id) DO UPDATE
            SET amount_minor = t.amount_minor + EXCLUDED.amount_minor,
                expense_count = t.expense_count + EXCLUDED.expense_count,
                base_minor = t.base_minor + EXCLUDED.base_minor,
                unconverted_count = t.unconverted_count + EXCLUDED.unconverted_count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO expense_day_totals AS t
            (tenant_id, occurred_on, currency, category_key, member_id, amount_minor, expense_count, base_minor,
             unconverted_count)
        SELECT tenant_id, occurred_on, currency, COALESCE(category_id, '00000000-0000-0000-0000-000000000000'),
               member_id, -SUM(amount_minor), -COUNT(*), -COALESCE(SUM(base_amount_minor), 0),
               COUNT(base_amount_minor) - COUNT(*)
        FROM old_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant_id, occurred_on, currency, category_key, member_id) DO UPDATE
            SET amount_minor = t.amount_minor + EXCLUDED.amount_minor,
                expense_count = t.expense_count + EXCLUDED.expense_count,
                base_minor = t.base_minor + EXCLUDED.base_minor,
                unconverted_count = t.unconverted_count + EXCLUDED.unconverted_count;
    ELSE
        INSERT INTO expense_day_totals AS t
            (tenant_id, occurred_on, currency, category_key, member_id, amount_minor, expense_count, base_minor,
             unconverted_count)
        SELECT tenant_id, occurred_on, currency, category_key, member_id, SUM(amount_minor), SUM(n),
               SUM(base_minor), SUM(unconverted)
        FROM (
            SELECT tenant_id, occurred_on, currency,
                   COALESCE(category_id, '00000000-0000-0000-0000-000000000000') AS category_key, member_id,
                   amount_minor::numeric AS amount_minor, 1 AS n,
                   COALESCE(base_amount_minor, 0)::numeric AS base_minor,
                   CASE WHEN base_amount_minor IS NULL THEN 1 ELSE 0 END AS unconverted
            FROM new_rows
            UNION ALL
            SELECT tenant_id, occurred_on, currency,
                   COALESCE(category_id, '00000000-0000-0000-0000-000000000000'), member_id,
                   -amount_minor::numeric, -1, -COALESCE(base_amount_minor, 0)::numeric,
                   CASE WHEN base_amount_minor IS NULL THEN -1 ELSE 0 END
            FROM old_rows
        ) AS changes
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant_id, occurred_on, currency, category_key, member_id) DO UPDATE
            SET amount_minor = t.amount_minor + EXCLUDED.amount_minor,
                expense_count = t.expense_count + EXCLUDED.expense_count,
                base_minor = t.base_minor + EXCLUDED.base_minor,
                unconverted_count = t.unconverted_count + EXCLUDED.unconverted_count;
    END IF;
    RETURN NULL;
END $$;

-- The base sums of the expenses already there, with row security lifted for this statement
-- inside this migration's transaction (as in 0005).
ALTER TABLE expenses NO FORCE ROW LEVEL SECURITY;
ALTER TABLE expense_day_totals NO FORCE ROW LEVEL SECURITY;
UPDATE expense_day_totals t SET base_minor = s.base_minor, unconverted_count = s.unconverted
FROM (
    SELECT tenant_id, occurred_on, currency,
           COALESCE(category_id, '00000000-0000-0000-0000-000000000000') AS category_key, member_id,
           SUM(COALESCE(base_amount_minor, 0)) AS base_minor, COUNT(*) - COUNT(base_amount_minor) AS unconverted
    FROM expenses GROUP BY 1, 2, 3, 4, 5
) AS s
WHERE t.tenant_id = s.tenant_id AND t.occurred_on = s.occurred_on AND t.currency = s.currency
    AND t.category_key = s.category_key AND t.member_id = s.member_id;
ALTER TABLE expenses FORCE ROW LEVEL SECURITY;
ALTER TABLE expense_day_totals FORCE ROW LEVEL SECURITY;
