-- Claims: a member's out-of-pocket expenses gathered to be approved and reimbursed. Keep in
-- step with sqlite/0008_claims.sql.

CREATE TABLE claims (
    tenant_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    -- Creation order: the list's "newest first" and its keyset cursor.
    seq bigint GENERATED ALWAYS AS IDENTITY,
    -- Whose claim it is. Not a membership key: the claim stays when its member leaves.
    member_id uuid NOT NULL REFERENCES users (id),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status text NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'reimbursed')),
    submitted_at timestamptz,
    decided_at timestamptz,
    decided_by uuid REFERENCES users (id),
    comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    -- Approved by its own member: allowed only to an owner who is the one member able to approve.
    self_approved boolean NOT NULL DEFAULT false,
    paid_on date,
    reference text NOT NULL DEFAULT '' CHECK (length(reference) <= 200),
    reimbursed_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX claims_tenant_seq_idx ON claims (tenant_id, seq);

-- A company-card expense is not reimbursable and cannot be claimed. An expense is in at most
-- one claim; the claim's deletion (drafts only) first takes its expenses out.
ALTER TABLE expenses ADD COLUMN reimbursable boolean NOT NULL DEFAULT true;
ALTER TABLE expenses ADD COLUMN claim_id uuid;
ALTER TABLE expenses ADD CONSTRAINT expenses_claim_fkey
    FOREIGN KEY (tenant_id, claim_id) REFERENCES claims (tenant_id, id);
CREATE INDEX expenses_claim_idx ON expenses (tenant_id, claim_id) WHERE claim_id IS NOT NULL;

ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE claims FORCE ROW LEVEL SECURITY;
CREATE POLICY claims_tenant ON claims
    USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
