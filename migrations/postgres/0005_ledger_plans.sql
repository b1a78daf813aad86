-- Indexes for the list plans chosen at run time (ledger::repo::choose_plan).
-- When few rows match a filter, they are read through (column, region_code) and sorted
-- (kind has one already: 0003).
CREATE INDEX business_status_region ON business(status, region_code);
CREATE INDEX business_industry_region ON business(industry, region_code);
-- A county's businesses by name are walked in the county's own order: in the city-wide name
-- order they sit behind the counties whose names sort first.
CREATE INDEX business_county_name ON business(substr(region_code, 1, 6), name, id);

-- The person's region by subquery (an index lookup per row): a transition table has no
-- statistics, and with a join the planner hashed the whole person table for every statement.
CREATE OR REPLACE FUNCTION person_category_count_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO ledger_count (entity, facet, value, region_code, n)
    SELECT 'person', 'category', x.category, x.region_code, COUNT(*)
      FROM (SELECT c.category, (SELECT p.region_code FROM person p WHERE p.id = c.person_id) AS region_code
              FROM new_rows c) x
     WHERE x.region_code IS NOT NULL
     GROUP BY x.category, x.region_code
     ORDER BY x.category, x.region_code
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = ledger_count.n + EXCLUDED.n;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
