-- An organization's exchange rates: units of its base currency per unit of another currency,
-- one per currency and day, as exact decimals. Keep in step with postgres/0010_exchange_rates.sql,
-- which says more.
CREATE TABLE exchange_rates (
    tenant_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    rate_on TEXT NOT NULL CHECK (rate_on BETWEEN '1900-01-01' AND '2999-12-31'),
    significand INTEGER NOT NULL CHECK (significand BETWEEN 1 AND 999999999999),
    scale INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 18),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, currency, rate_on)
) STRICT, WITHOUT ROWID;
