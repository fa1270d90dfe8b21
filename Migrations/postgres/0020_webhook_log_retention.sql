-- The delivery log is kept for WEBHOOK_LOG_DAYS after a delivery finished (delivered, or dead):
-- the servers' maintenance pass deletes older finished deliveries across organizations, in a
-- transaction that says it is that pass (`app.scope`, set only by it). It sees and deletes
-- finished deliveries and nothing else; their attempts go with them by the foreign key's
-- cascade. A delivery still to make is never its to delete. Keep in step with
-- sqlite/0020_webhook_log_retention.sql.
ALTER TABLE webhook_deliveries ADD COLUMN finished_at timestamptz;

-- Deliveries that finished before this column: when they were delivered, or their last attempt.
-- This spans every tenant: row security is lifted (as the tables' owner) while it runs and is
-- back before commit.
ALTER TABLE webhook_deliveries NO FORCE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts NO FORCE ROW LEVEL SECURITY;
UPDATE webhook_deliveries d SET finished_at = COALESCE(
    d.delivered_at,
    (SELECT max(a.attempted_at) FROM webhook_attempts a WHERE a.tenant_id = d.tenant_id AND a.delivery_id = d.id),
    d.created_at)
WHERE d.status IN ('delivered', 'dead');
ALTER TABLE webhook_attempts FORCE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;

-- A worker of the previous release, still running while a rolling upgrade replaces it, finishes
-- deliveries without saying when: the time is filled in for it (never refused, which would
-- lose its attempt's log entry and send the delivery again).
CREATE FUNCTION webhook_deliveries_finished_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.finished_at := COALESCE(NEW.delivered_at, now());
    RETURN NEW;
END $$;
CREATE TRIGGER webhook_deliveries_finished_at BEFORE UPDATE OF status ON webhook_deliveries
    FOR EACH ROW WHEN (NEW.status IN ('delivered', 'dead') AND NEW.finished_at IS NULL)
    EXECUTE FUNCTION webhook_deliveries_finished_at();
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (finished_at) WHERE status IN ('delivered', 'dead');
CREATE POLICY webhook_deliveries_purge_read ON webhook_deliveries FOR SELECT
    USING (current_setting('app.scope', true) = 'webhook-purge' AND status IN ('delivered', 'dead'));
CREATE POLICY webhook_deliveries_purge ON webhook_deliveries FOR DELETE
    USING (current_setting('app.scope', true) = 'webhook-purge' AND status IN ('delivered', 'dead'));
