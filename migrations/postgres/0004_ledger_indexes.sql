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
--    transaction as every insert, update and delete, whatever code writes the rows. Inserts are
--    counted once per statement (transition tables), so a bulk insert costs one upsert per
--    community and value, not one per row; upserts run in key order, so concurrent writers lock
--    count rows in the same order.
CREATE TABLE ledger_count (
    entity      TEXT NOT NULL,              -- 'person' | 'business'
    facet       TEXT NOT NULL,
    value       TEXT NOT NULL,
    region_code TEXT NOT NULL,              -- a community (the rows' own region_code)
    n           BIGINT NOT NULL,
    PRIMARY KEY (entity, facet, value, region_code)
);

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

CREATE FUNCTION ledger_count_add(e TEXT, f TEXT, v TEXT, r TEXT, d BIGINT) RETURNS void AS $$
    INSERT INTO ledger_count (entity, facet, value, region_code, n) VALUES (e, f, v, r, d)
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = ledger_count.n + EXCLUDED.n
$$ LANGUAGE sql;

-- persons
CREATE FUNCTION person_count_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO ledger_count (entity, facet, value, region_code, n)
    SELECT 'person', f.facet, f.value, f.region_code, COUNT(*)
      FROM new_rows p
      CROSS JOIN LATERAL (VALUES ('', '', p.region_code),
                                 ('education', p.education, p.region_code),
                                 ('household', p.household, p.region_code),
                                 ('party', CAST(p.party_member AS TEXT), p.region_code))
                 AS f(facet, value, region_code)
     GROUP BY f.facet, f.value, f.region_code
     ORDER BY f.facet, f.value, f.region_code
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = ledger_count.n + EXCLUDED.n;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER person_count_insert AFTER INSERT ON person
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_count_insert();

-- Updates and deletes, row by row. Before a person goes, their categories are removed first
-- (counted down by their own trigger while the person still exists).
CREATE FUNCTION person_count_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM person_category WHERE person_id = OLD.id;
    END IF;
    PERFORM ledger_count_add('person', '', '', OLD.region_code, -1);
    PERFORM ledger_count_add('person', 'education', OLD.education, OLD.region_code, -1);
    PERFORM ledger_count_add('person', 'household', OLD.household, OLD.region_code, -1);
    PERFORM ledger_count_add('person', 'party', CAST(OLD.party_member AS TEXT), OLD.region_code, -1);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    PERFORM ledger_count_add('person', '', '', NEW.region_code, 1);
    PERFORM ledger_count_add('person', 'education', NEW.education, NEW.region_code, 1);
    PERFORM ledger_count_add('person', 'household', NEW.household, NEW.region_code, 1);
    PERFORM ledger_count_add('person', 'party', CAST(NEW.party_member AS TEXT), NEW.region_code, 1);
    -- A person moved to another community takes their categories along.
    IF OLD.region_code <> NEW.region_code THEN
        PERFORM ledger_count_add('person', 'category', c.category, OLD.region_code, -1)
           FROM person_category c WHERE c.person_id = OLD.id;
        PERFORM ledger_count_add('person', 'category', c.category, NEW.region_code, 1)
           FROM person_category c WHERE c.person_id = NEW.id;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER person_count_update AFTER UPDATE OF region_code, education, household, party_member ON person
    FOR EACH ROW
    WHEN (OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.education IS DISTINCT FROM NEW.education
       OR OLD.household IS DISTINCT FROM NEW.household OR OLD.party_member IS DISTINCT FROM NEW.party_member)
    EXECUTE FUNCTION person_count_change();
CREATE TRIGGER person_count_delete BEFORE DELETE ON person
    FOR EACH ROW EXECUTE FUNCTION person_count_change();

CREATE FUNCTION person_category_count_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO ledger_count (entity, facet, value, region_code, n)
    SELECT 'person', 'category', c.category, p.region_code, COUNT(*)
      FROM new_rows c JOIN person p ON p.id = c.person_id
     GROUP BY c.category, p.region_code
     ORDER BY c.category, p.region_code
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = ledger_count.n + EXCLUDED.n;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER person_category_count_insert AFTER INSERT ON person_category
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_category_count_insert();

CREATE FUNCTION person_category_count_change() RETURNS trigger AS $$
BEGIN
    PERFORM ledger_count_add('person', 'category', OLD.category, p.region_code, -1)
       FROM person p WHERE p.id = OLD.person_id;
    IF TG_OP = 'UPDATE' THEN
        PERFORM ledger_count_add('person', 'category', NEW.category, p.region_code, 1)
           FROM person p WHERE p.id = NEW.person_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER person_category_count_change AFTER UPDATE OR DELETE ON person_category
    FOR EACH ROW EXECUTE FUNCTION person_category_count_change();

-- businesses
CREATE FUNCTION business_count_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO ledger_count (entity, facet, value, region_code, n)
    SELECT 'business', f.facet, f.value, f.region_code, COUNT(*)
      FROM new_rows b
      CROSS JOIN LATERAL (VALUES ('', '', b.region_code),
                                 ('kind', b.kind, b.region_code),
                                 ('status', b.status, b.region_code),
                                 ('industry', b.industry, b.region_code))
                 AS f(facet, value, region_code)
     GROUP BY f.facet, f.value, f.region_code
     ORDER BY f.facet, f.value, f.region_code
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = ledger_count.n + EXCLUDED.n;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER business_count_insert AFTER INSERT ON business
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION business_count_insert();

CREATE FUNCTION business_count_change() RETURNS trigger AS $$
BEGIN
    PERFORM ledger_count_add('business', '', '', OLD.region_code, -1);
    PERFORM ledger_count_add('business', 'kind', OLD.kind, OLD.region_code, -1);
    PERFORM ledger_count_add('business', 'status', OLD.status, OLD.region_code, -1);
    PERFORM ledger_count_add('business', 'industry', OLD.industry, OLD.region_code, -1);
    IF TG_OP = 'UPDATE' THEN
        PERFORM ledger_count_add('business', '', '', NEW.region_code, 1);
        PERFORM ledger_count_add('business', 'kind', NEW.kind, NEW.region_code, 1);
        PERFORM ledger_count_add('business', 'status', NEW.status, NEW.region_code, 1);
        PERFORM ledger_count_add('business', 'industry', NEW.industry, NEW.region_code, 1);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER business_count_update AFTER UPDATE OF region_code, kind, status, industry ON business
    FOR EACH ROW
    WHEN (OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.kind IS DISTINCT FROM NEW.kind
       OR OLD.status IS DISTINCT FROM NEW.status OR OLD.industry IS DISTINCT FROM NEW.industry)
    EXECUTE FUNCTION business_count_change();
CREATE TRIGGER business_count_delete AFTER DELETE ON business
    FOR EACH ROW EXECUTE FUNCTION business_count_change();
