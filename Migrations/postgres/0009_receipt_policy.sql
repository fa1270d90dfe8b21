-- The claim policy: an expense costlier than this (minor units of the organization's currency)
-- needs a receipt before a claim holding it is submitted. NULL: no such rule. Keep in step with
-- sqlite/0009_receipt_policy.sql.
ALTER TABLE organizations ADD COLUMN receipt_required_above bigint
    CHECK (receipt_required_above BETWEEN 0 AND 999999999999999);
