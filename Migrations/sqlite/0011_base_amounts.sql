-- Each expense's amount in its organization's currency (NULL until a rate converts it). Keep in
-- step with postgres/0011_base_amounts.sql, which says more.
ALTER TABLE expenses ADD COLUMN base_amount_minor INTEGER
    CHECK (base_amount_minor BETWEEN -999999999999999 AND 999999999999999);

UPDATE expenses SET base_amount_minor = amount_minor
WHERE currency = (SELECT o.currency FROM organizations o WHERE o.id = expenses.tenant_id);

CREATE INDEX expenses_unconverted_idx ON expenses (tenant_id, currency, occurred_on)
    WHERE base_amount_minor IS NULL;
