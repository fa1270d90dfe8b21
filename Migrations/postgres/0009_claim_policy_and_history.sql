-- The claim policy: an expense costlier than this (minor units of the organization's currency)
-- needs a receipt before a claim holding it is submitted. NULL: no such rule. Keep in step with
-- sqlite/0009_claim_policy_and_history.sql.
ALTER TABLE organizations ADD COLUMN receipt_required_above bigint
    CHECK (receipt_required_above BETWEEN 0 AND 999999999999999);

-- One subject's story (a claim's history on its page) without reading the tenant's whole log.
CREATE INDEX audit_log_subject_idx ON audit_log (tenant_id, subject_type, subject_id, seq);
