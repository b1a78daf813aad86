-- A person's education is carried on each of their categories, so that a list filtered by a
-- category and an education over a wide scope reads exactly its rows through one index instead
-- of walking one filter's rows to test the other (docs/PERFORMANCE.md: 高校毕业生 with 高中
-- education has next to no rows, and proving it walked 299,000). Writers fill the column; the
-- triggers keep it right whatever writes.
ALTER TABLE person_category ADD COLUMN education TEXT;
UPDATE person_category SET education = (SELECT p.education FROM person p WHERE p.id = person_category.person_id);
CREATE INDEX person_category_pair ON person_category(category, education, person_id);

CREATE TRIGGER person_category_education_fill AFTER INSERT ON person_category
WHEN NEW.education IS NULL
BEGIN
    UPDATE person_category SET education = (SELECT p.education FROM person p WHERE p.id = NEW.person_id)
     WHERE person_id = NEW.person_id AND category = NEW.category;
END;

CREATE TRIGGER person_category_education_follow AFTER UPDATE OF education ON person
WHEN OLD.education IS NOT NEW.education
BEGIN
    UPDATE person_category SET education = NEW.education WHERE person_id = NEW.id;
END;

-- Filling or following the education updates person_category; only a change of category (or
-- of person) moves the kept counts (0004's trigger fired on any update and, run after the
-- person had moved, counted the category twice in the new community).
DROP TRIGGER person_category_count_update;
CREATE TRIGGER person_category_count_update AFTER UPDATE OF category, person_id ON person_category
WHEN OLD.category IS NOT NEW.category OR OLD.person_id IS NOT NEW.person_id
BEGIN
    UPDATE ledger_count SET n = n - 1
     WHERE entity = 'person' AND facet = 'category' AND value = OLD.category
       AND region_code = (SELECT region_code FROM person WHERE id = OLD.person_id);
    INSERT INTO ledger_count (entity, facet, value, region_code, n)
    SELECT 'person', 'category', NEW.category, region_code, 1 FROM person WHERE id = NEW.person_id
    ON CONFLICT (entity, facet, value, region_code) DO UPDATE SET n = n + excluded.n;
END;
