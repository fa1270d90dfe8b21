-- The organization a person last worked in, so signing in anywhere lands there. Only a hint:
-- the start page uses it after checking the membership, so it needs no foreign key (and an
-- organization deleted meanwhile is simply skipped).
ALTER TABLE users ADD COLUMN last_organization_id TEXT;
