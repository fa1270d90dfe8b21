-- Each expense's amount in its organization's currency: converted once, when written, at the
-- organization's rate for the latest day on or before the expense's (or at a rate given with
-- it). NULL: no rate yet, "unconverted" until one arrives. Keep in step with
-- sqlite/0011_base_amounts.sql.
ALTER TABLE expenses ADD COLUMN base_amount_minor bigint
    CHECK (base_amount_minor BETWEEN -999999999999999 AND 999999999999999);

-- Expenses already in their organization's currency are their own base amount. The backfill
-- spans every tenant, so row security is lifted for it (as the tables' owner) and the day-totals
-- trigger is held (no amount changes); both are back before the migration commits.
ALTER TABLE expenses NO FORCE ROW LEVEL SECURITY;
ALTER TABLE organizations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE expenses DISABLE TRIGGER expense_day_totals_update;
UPDATE expenses e SET base_amount_minor = e.amount_minor
FROM organizations o WHERE o.id = e.tenant_id AND e.currency = o.currency;
ALTER TABLE expenses ENABLE TRIGGER expense_day_totals_update;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
ALTER TABLE expenses FORCE ROW LEVEL SECURITY;

-- What a new rate fills in: a currency's unconverted expenses from a day on.
CREATE INDEX expenses_unconverted_idx ON expenses (tenant_id, currency, occurred_on)
    WHERE base_amount_minor IS NULL;
