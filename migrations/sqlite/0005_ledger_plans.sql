-- Indexes for the list plans chosen at run time (ledger::repo::choose_plan).
-- When few rows match a filter, they are read through (column, region_code) and sorted
-- (kind has one already: 0003).
CREATE INDEX business_status_region ON business(status, region_code);
CREATE INDEX business_industry_region ON business(industry, region_code);
-- A county's businesses by name are walked in the county's own order: in the city-wide name
-- order they sit behind the counties whose names sort first.
CREATE INDEX business_county_name ON business(substr(region_code, 1, 6), name, id);
