-- A person list filtered by education over a wide scope walks that education's own rows in the
-- sort order (as businesses do by kind, status and industry: 0004): with a second filter
-- (a category) the matching rows can be few, and walking the plain name order would pass
-- most of the city before a page is full (docs/PERFORMANCE.md).
CREATE INDEX person_education_name ON person(education, name, id, region_code);
CREATE INDEX person_education_created ON person(education, created_at, id, region_code);
