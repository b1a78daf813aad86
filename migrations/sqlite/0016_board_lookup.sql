-- Lookup codes of the job board's and the project library's public submissions (issue 4
-- points 3 and 4): an employer, worker or citizen who sends a posting, supply or an idea
-- through the portal gets a code, shown once, to read later how it stands (waiting, published,
-- rejected or returned with the reason, withdrawn, expired). Only the code's keyed hash is
-- stored (blind-index domain `board_code`); entries entered by staff have none.
ALTER TABLE job_posting ADD COLUMN lookup_hash TEXT;
CREATE UNIQUE INDEX job_posting_lookup ON job_posting(lookup_hash);

ALTER TABLE labour_supply ADD COLUMN lookup_hash TEXT;
CREATE UNIQUE INDEX labour_supply_lookup ON labour_supply(lookup_hash);

ALTER TABLE business_idea ADD COLUMN lookup_hash TEXT;
CREATE UNIQUE INDEX business_idea_lookup ON business_idea(lookup_hash);
