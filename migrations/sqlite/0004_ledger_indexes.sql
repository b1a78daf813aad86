-- Ledger lists at city scale (docs/PERFORMANCE.md, issue 3).
--
-- 1. Sort-order indexes. A list over a wide scope (a county, the whole city) walks the index of
--    its sort order and stops after one page; region_code is in the index, so rows outside the
--    scope are skipped without reading the table. Narrow scopes (a community, a sub-district) keep
--    using the (region_code, …) indexes of 0003 and sort the few rows they read.
CREATE INDEX person_name ON person(name, id, region_code);
CREATE INDEX person_created ON person(created_at, id, region_code);
CREATE INDEX business_name ON business(name, id, region_code);
CREATE INDEX business_registered ON business(registered_on, id, region_code);
-- A business filter on kind, status or industry is walked within its own value: the filtered
-- rows are not spread evenly over the sort order (enterprises are named after the city,
-- individual businesses after the county; businesses that closed are older ones), so walking
-- the plain sort index and skipping could pass most of the table before a page is full.
CREATE INDEX business_kind_name ON business(kind, name, id, region_code);
CREATE INDEX business_kind_registered ON business(kind, registered_on, id, region_code);
CREATE INDEX business_status_name ON business(status, name, id, region_code);
CREATE INDEX business_status_registered ON business(status, registered_on, id, region_code);
CREATE INDEX business_industry_name ON business(industry, name, id, region_code);
CREATE INDEX business_industry_registered ON business(industry, registered_on, id, region_code);

-- 2. Maintained counts. How many persons / businesses each community has, in total and per value
--    of each list filter (facet): persons by education, household, party_member, category;
--    businesses by kind, status, industry. facet = '' and value = '' is the total. A list's total
--    for any scope and at most one facet is a SUM over at most one row per community, instead of
--    a COUNT over up to a million rows. The triggers below keep the table exact in the same
--    transaction as every insert, update and delete, whatever code writes the rows.
CREATE TABLE ledger_count (
    entity      TEXT NOT NULL,              -- 'person' | 'business'
    facet       TEXT NOT NULL,
    value       TEXT NOT NULL,
    region_code TEXT NOT NULL,              -- a community (the rows' own region_code)
    n           INTEGER NOT NULL,
    PRIMARY KEY (entity, facet, value, region_code)
) WITHOUT ROWID;

INSERT INTO ledger_count (entity, facet, value, region_code, n)
SELECT 'person', '', '', region_code, COUNT(*) FROM person GROUP BY region_code
UNION ALL
SELECT 'person', 'education', education, region_code, COUNT(*) FROM person GROUP BY education, region_code
UNION ALL
SELECT 'person', 'household', household, region_code, COUNT(*) FROM person GROUP BY household, region_code
UNION ALL
SELECT 'person', 'party', CAST(party_member AS TEXT), region_code, COUNT(*) FROM person GROUP BY party_member, region_code
UNION ALL
SELECT 'person', 'category', c.category, p.region_code, COUNT(*)
  FROM person_category c JOIN person p ON p.id = c.person_id GROUP BY c.category, p.region_code
UNION ALL
SELECT 'business', '', '', region_code, COUNT(*) FROM business GROUP BY region_code
UNION ALL
SELECT 'business', 'kind', kind, region_code, COUNT(*) FROM business GROUP BY kind, region_code
UNION ALL
SELECT 'business', 'status', status, region_code, COUNT(*) FROM business GROUP BY status, region_code
UNION ALL
SELECT 'business', 'industry', industry, region_code, COUNT(*) FROM business GROUP BY industry, region_code;

-- persons
CREATE TRIGGER person_count_insert AFTER INSERT ON person
BEGIN
    INSERT INTO ledger_count (entity, facet, value, region_code, n) VALUES
        ('person', '', '', NEW.region_code, 1),
        ('person', 'education', NEW.education, NEW.region_code, 1),
        ('person', 'household', NEW.household, NEW.region_code, 1),
        ('person', 'party', CAST(NEW.party_member AS TEXT), NEW.region_code, 1)
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER person_count_update AFTER UPDATE OF region_code, education, household, party_member ON person
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.education IS NOT NEW.education
  OR OLD.household IS NOT NEW.household OR OLD.party_member IS NOT NEW.party_member
BEGIN
    UPDATE ledger_count SET n = n - 1
     WHERE entity = 'person' AND region_code = OLD.region_code
       AND ((facet = '' AND value = '')
         OR (facet = 'education' AND value = OLD.education)
         OR (facet = 'household' AND value = OLD.household)
         OR (facet = 'party' AND value = CAST(OLD.party_member AS TEXT)));
    INSERT INTO ledger_count (entity, facet, value, region_code, n) VALUES
        ('person', '', '', NEW.region_code, 1),
        ('person', 'education', NEW.education, NEW.region_code, 1),
        ('person', 'household', NEW.household, NEW.region_code, 1),
        ('person', 'party', CAST(NEW.party_member AS TEXT), NEW.region_code, 1)
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = n + excluded.n;
    -- A person moved to another community takes their categories along.
    UPDATE ledger_count SET n = n - 1
     WHERE OLD.region_code <> NEW.region_code
       AND entity = 'person' AND facet = 'category' AND region_code = OLD.region_code
       AND value IN (SELECT category FROM person_category WHERE person_id = OLD.id);
    INSERT INTO ledger_count (entity, facet, value, region_code, n)
    SELECT 'person', 'category', category, NEW.region_code, 1 FROM person_category
     WHERE person_id = NEW.id AND OLD.region_code <> NEW.region_code
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = n + excluded.n;
END;

-- Before the row goes: its categories are removed first (counted down by their own trigger
-- while the person still exists), then the person's own counts.
CREATE TRIGGER person_count_delete BEFORE DELETE ON person
BEGIN
    DELETE FROM person_category WHERE person_id = OLD.id;
    UPDATE ledger_count SET n = n - 1
     WHERE entity = 'person' AND region_code = OLD.region_code
       AND ((facet = '' AND value = '')
         OR (facet = 'education' AND value = OLD.education)
         OR (facet = 'household' AND value = OLD.household)
         OR (facet = 'party' AND value = CAST(OLD.party_member AS TEXT)));
END;

CREATE TRIGGER person_category_count_insert AFTER INSERT ON person_category
BEGIN
    INSERT INTO ledger_count (entity, facet, value, region_code, n)
    SELECT 'person', 'category', NEW.category, region_code, 1 FROM person WHERE id = NEW.person_id
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER person_category_count_delete AFTER DELETE ON person_category
BEGIN
    UPDATE ledger_count SET n = n - 1
     WHERE entity = 'person' AND facet = 'category' AND value = OLD.category
       AND region_code = (SELECT region_code FROM person WHERE id = OLD.person_id);
END;

CREATE TRIGGER person_category_count_update AFTER UPDATE ON person_category
BEGIN
    UPDATE ledger_count SET n = n - 1
     WHERE entity = 'person' AND facet = 'category' AND value = OLD.category
       AND region_code = (SELECT region_code FROM person WHERE id = OLD.person_id);
    INSERT INTO ledger_count (entity, facet, value, region_code, n)
    SELECT 'person', 'category', NEW.category, region_code, 1 FROM person WHERE id = NEW.person_id
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = n + excluded.n;
END;

-- businesses
CREATE TRIGGER business_count_insert AFTER INSERT ON business
BEGIN
    INSERT INTO ledger_count (entity, facet, value, region_code, n) VALUES
        ('business', '', '', NEW.region_code, 1),
        ('business', 'kind', NEW.kind, NEW.region_code, 1),
        ('business', 'status', NEW.status, NEW.region_code, 1),
        ('business', 'industry', NEW.industry, NEW.region_code, 1)
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER business_count_update AFTER UPDATE OF region_code, kind, status, industry ON business
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.kind IS NOT NEW.kind
  OR OLD.status IS NOT NEW.status OR OLD.industry IS NOT NEW.industry
BEGIN
    UPDATE ledger_count SET n = n - 1
     WHERE entity = 'business' AND region_code = OLD.region_code
       AND ((facet = '' AND value = '')
         OR (facet = 'kind' AND value = OLD.kind)
         OR (facet = 'status' AND value = OLD.status)
         OR (facet = 'industry' AND value = OLD.industry));
    INSERT INTO ledger_count (entity, facet, value, region_code, n) VALUES
        ('business', '', '', NEW.region_code, 1),
        ('business', 'kind', NEW.kind, NEW.region_code, 1),
        ('business', 'status', NEW.status, NEW.region_code, 1),
        ('business', 'industry', NEW.industry, NEW.region_code, 1)
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER business_count_delete AFTER DELETE ON business
BEGIN
    UPDATE ledger_count SET n = n - 1
     WHERE entity = 'business' AND region_code = OLD.region_code
       AND ((facet = '' AND value = '')
         OR (facet = 'kind' AND value = OLD.kind)
         OR (facet = 'status' AND value = OLD.status)
         OR (facet = 'industry' AND value = OLD.industry));
END;
