-- The delivery log is kept for WEBHOOK_LOG_DAYS after a delivery finished (delivered, or dead):
-- the servers' maintenance pass deletes older finished deliveries; their attempts go with them by
-- the foreign key's cascade. Keep in step with postgres/0020_webhook_log_retention.sql, which
-- also bounds the pass with row security and fills finished_at for a worker of the previous
-- release during a rolling upgrade (the embedded store is one process, migrated as it starts).
ALTER TABLE webhook_deliveries ADD COLUMN finished_at TEXT;
UPDATE webhook_deliveries SET finished_at = COALESCE(
    delivered_at,
    (SELECT max(a.attempted_at) FROM webhook_attempts a
     WHERE a.tenant_id = webhook_deliveries.tenant_id AND a.delivery_id = webhook_deliveries.id),
    created_at)
WHERE status IN ('delivered', 'dead');
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (finished_at) WHERE status IN ('delivered', 'dead');
