-- An organization's exchange rates: units of its base currency per unit of another currency,
-- one per currency and day, as exact decimals (significand × 10^-scale, at most 12
-- significant digits). Keep in step with sqlite/0010_exchange_rates.sql.
CREATE TABLE exchange_rates (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    rate_on date NOT NULL CHECK (rate_on BETWEEN '1900-01-01' AND '2999-12-31'),
    significand bigint NOT NULL CHECK (significand BETWEEN 1 AND 999999999999),
    scale smallint NOT NULL CHECK (scale BETWEEN 0 AND 18),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- Also serves "the latest rate on or before a date" (scanned backwards).
    PRIMARY KEY (tenant_id, currency, rate_on)
);

ALTER TABLE exchange_rates ENABLE ROW LEVEL SECURITY;
ALTER TABLE exchange_rates FORCE ROW LEVEL SECURITY;
CREATE POLICY exchange_rates_tenant ON exchange_rates
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
