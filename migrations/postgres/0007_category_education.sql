-- A person's education is carried on each of their categories, so that a list filtered by a
-- category and an education over a wide scope reads exactly its rows through one index instead
-- of walking one filter's rows to test the other (docs/PERFORMANCE.md: 高校毕业生 with 高中
-- education has next to no rows, and proving it walked 299,000). Writers fill the column; the
-- triggers keep it right whatever writes.
ALTER TABLE person_category ADD COLUMN education TEXT;
UPDATE person_category c SET education = p.education FROM person p WHERE p.id = c.person_id;
CREATE INDEX person_category_pair ON person_category(category, education, person_id);

CREATE FUNCTION person_category_education_fill() RETURNS trigger AS $$
BEGIN
    IF NEW.education IS NULL THEN
        SELECT p.education INTO NEW.education FROM person p WHERE p.id = NEW.person_id;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER person_category_education_fill BEFORE INSERT ON person_category
    FOR EACH ROW EXECUTE FUNCTION person_category_education_fill();

CREATE FUNCTION person_category_education_follow() RETURNS trigger AS $$
BEGIN
    UPDATE person_category SET education = NEW.education WHERE person_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER person_category_education_follow AFTER UPDATE OF education ON person
    FOR EACH ROW WHEN (OLD.education IS DISTINCT FROM NEW.education)
    EXECUTE FUNCTION person_category_education_follow();

-- Categories and education are far from independent (graduates have college degrees): without
-- this the planner guesses a pair's rows from each alone and may hash the whole person table.
CREATE STATISTICS person_category_pair_stats (mcv) ON category, education FROM person_category;
ANALYZE person_category;

-- The kept counts are summed over a region's communities for every list; with their count in
-- the index the sum reads no table rows (it took 12 ms a list at city scale).
CREATE INDEX ledger_count_covering ON ledger_count(entity, facet, value, region_code) INCLUDE (n);
