-- Webhooks: each organization's endpoints, the deliveries its changes queue for them (an outbox
-- written in the same transaction as the change), and every attempt at one (the delivery log).
-- Keep in step with sqlite/0019_webhooks.sql.
ALTER TABLE organizations ADD COLUMN has_webhooks boolean NOT NULL DEFAULT false;

CREATE TABLE webhook_endpoints (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    -- The event types it takes, each between commas: ",expense.created,claim.approved,".
    events text NOT NULL CHECK (events LIKE ',%,'),
    -- The signing secret, sealed under SECRET_KEY (never readable through the API after creation).
    secret_sealed text NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    endpoint_id uuid NOT NULL,
    -- The `webhook-id` header: the same on every attempt, so a receiver can ignore a repeat.
    message_id text NOT NULL,
    event_type text NOT NULL,
    payload text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    locked_until timestamptz,
    -- The claim a worker holds: its later writes name it, so a worker whose lease ran out (and
    -- whose delivery another took over) changes nothing.
    claim_token uuid,
    last_error text,
    created_at timestamptz NOT NULL,
    delivered_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, created_at DESC);

CREATE TABLE webhook_attempts (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    delivery_id uuid NOT NULL,
    attempted_at timestamptz NOT NULL,
    -- The HTTP status the endpoint answered; null when there was no answer (refused, timed out).
    status_code integer,
    duration_ms integer NOT NULL,
    error text,
    -- The first KiB of the answer's body.
    response_excerpt text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (tenant_id, delivery_id, attempted_at);

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_endpoints_tenant ON webhook_endpoints
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_deliveries_tenant ON webhook_deliveries
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_attempts_tenant ON webhook_attempts
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
-- The worker finds due deliveries across organizations in a transaction that says it is the
-- webhook worker (`app.scope`, set only by its own scan): read-only, and only deliveries still
-- to make. It claims and records each in that organization's own transaction, under the
-- policies above.
CREATE POLICY webhook_deliveries_worker ON webhook_deliveries FOR SELECT
    USING (current_setting('app.scope', true) = 'webhook-worker' AND status IN ('pending', 'sending'));
-- The scan skips deliveries of disabled endpoints (they wait, and must not fill every batch), so
-- it sees which endpoints are enabled, and nothing else of theirs is read in it.
CREATE POLICY webhook_endpoints_worker ON webhook_endpoints FOR SELECT
    USING (current_setting('app.scope', true) = 'webhook-worker' AND enabled);
