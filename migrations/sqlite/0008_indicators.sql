-- Indicators (issue 5): the catalogue as data, and the figures derived from the ledger kept
-- current at write time, per indicator × region × month, at every level of the region tree (a
-- community's write adds to its sub-district, county, city and province too), so that any
-- region's month, quarter or year is read from a handful of rows and is never stale.
--
-- A region's levels are the prefixes of its code (2, 4, 6, 9, 12 digits); where two prefixes give
-- the same code (a city's own districts, or townships directly under a city such as 东莞) the
-- figure is added once.

CREATE TABLE indicator (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    source       TEXT NOT NULL,              -- 'ledger' | 'entered' | 'survey'
    time_agg     TEXT NOT NULL,              -- 'sum' | 'last' | 'avg'
    region_agg   TEXT NOT NULL,              -- 'sum' | 'ratio'
    numerator    TEXT REFERENCES indicator(code),
    denominator  TEXT REFERENCES indicator(code),
    valid_from   TEXT NOT NULL,
    valid_to     TEXT,
    sort_order   INTEGER NOT NULL,
    builtin      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE indicator_value (
    indicator_code TEXT NOT NULL REFERENCES indicator(code),
    region_code    TEXT NOT NULL,
    month          TEXT NOT NULL,            -- 'YYYY-MM'
    value          BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (indicator_code, region_code, month)
);
CREATE INDEX indicator_value_region ON indicator_value(region_code, month);

INSERT INTO indicator (code, name, unit, definition, source, time_agg, region_agg, valid_from, sort_order, builtin) VALUES
 ('new_private_enterprises', '新增私营企业', '户', '本期在台账中登记成立的私营企业户数（按成立日期计入月份）。', 'ledger', 'sum', 'sum', '2000-01-01', 10, 1),
 ('new_individual_businesses', '新注册个体工商户', '户', '本期在台账中登记成立的个体工商户户数（按成立日期计入月份）。', 'ledger', 'sum', 'sum', '2000-01-01', 20, 1),
 ('new_cooperatives', '新增农民专业合作社', '个', '本期在台账中登记成立的农民专业合作社个数。', 'ledger', 'sum', 'sum', '2000-01-01', 30, 1),
 ('jobs_driven', '创业带动就业', '人', '本期成立的创业实体带动就业人数（以台账登记数计）。', 'ledger', 'sum', 'sum', '2000-01-01', 40, 1),
 ('new_entrepreneurs', '新登记创业人员', '人', '本期新登记入创业人员台账的人数。', 'ledger', 'sum', 'sum', '2000-01-01', 50, 1),
 ('visits_made', '走访服务', '次', '本期对创业人员的上门、电话和来访服务次数。', 'ledger', 'sum', 'sum', '2000-01-01', 60, 1),
 ('new_urban_jobs', '城镇新增就业', '人', '本期城镇新增就业人数，由各级按月填报。', 'entered', 'sum', 'sum', '2000-01-01', 100, 1),
 ('training_persons', '创业培训人数', '人', '本期参加创业培训的人数，由各级按月填报（培训模块建成前）。', 'entered', 'sum', 'sum', '2000-01-01', 110, 1),
 ('guaranteed_loans', '创业担保贷款发放额', '万元', '本期发放的创业担保贷款金额，由各级按月填报（贷款模块建成前）。', 'entered', 'sum', 'sum', '2000-01-01', 120, 1),
 ('publicity_events', '创业宣传活动', '场', '本期开展的创业宣传活动场次，由各级按月填报（宣传模块建成前）。', 'entered', 'sum', 'sum', '2000-01-01', 130, 1);

INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
SELECT x.code, x.anc, x.month, SUM(x.v), CAST(strftime('%s', 'now') AS INTEGER) FROM (
    SELECT CASE t.kind WHEN 'private' THEN 'new_private_enterprises' WHEN 'individual' THEN 'new_individual_businesses' WHEN 'coop' THEN 'new_cooperatives' END AS code, a.anc AS anc, substr(t.registered_on, 1, 7) AS month, 1 AS v
      FROM business t JOIN (SELECT t.id AS id, substr(t.region_code, 1, 2) || '0000000000' AS anc FROM business t UNION SELECT t.id AS id, substr(t.region_code, 1, 4) || '00000000' AS anc FROM business t UNION SELECT t.id AS id, substr(t.region_code, 1, 6) || '000000' AS anc FROM business t UNION SELECT t.id AS id, substr(t.region_code, 1, 9) || '000' AS anc FROM business t UNION SELECT t.id AS id, t.region_code AS anc FROM business t) a ON a.id = t.id
) x WHERE x.code IS NOT NULL AND x.v <> 0 GROUP BY x.code, x.anc, x.month;
INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
SELECT x.code, x.anc, x.month, SUM(x.v), CAST(strftime('%s', 'now') AS INTEGER) FROM (
    SELECT 'jobs_driven' AS code, a.anc AS anc, substr(t.registered_on, 1, 7) AS month, t.jobs AS v
      FROM business t JOIN (SELECT t.id AS id, substr(t.region_code, 1, 2) || '0000000000' AS anc FROM business t UNION SELECT t.id AS id, substr(t.region_code, 1, 4) || '00000000' AS anc FROM business t UNION SELECT t.id AS id, substr(t.region_code, 1, 6) || '000000' AS anc FROM business t UNION SELECT t.id AS id, substr(t.region_code, 1, 9) || '000' AS anc FROM business t UNION SELECT t.id AS id, t.region_code AS anc FROM business t) a ON a.id = t.id
) x WHERE x.code IS NOT NULL AND x.v <> 0 GROUP BY x.code, x.anc, x.month;

CREATE TRIGGER indicator_business_insert AFTER INSERT ON business
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, substr(NEW.registered_on, 1, 7), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT CASE NEW.kind WHEN 'private' THEN 'new_private_enterprises' WHEN 'individual' THEN 'new_individual_businesses' WHEN 'coop' THEN 'new_cooperatives' END AS code, (1) AS v UNION ALL SELECT 'jobs_driven' AS code, (NEW.jobs) AS v) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_business_delete AFTER DELETE ON business
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, substr(OLD.registered_on, 1, 7), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT CASE OLD.kind WHEN 'private' THEN 'new_private_enterprises' WHEN 'individual' THEN 'new_individual_businesses' WHEN 'coop' THEN 'new_cooperatives' END AS code, -(1) AS v UNION ALL SELECT 'jobs_driven' AS code, -(OLD.jobs) AS v) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_business_update AFTER UPDATE OF region_code, kind, registered_on, jobs ON business
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.kind IS NOT NEW.kind OR OLD.registered_on IS NOT NEW.registered_on OR OLD.jobs IS NOT NEW.jobs
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, substr(OLD.registered_on, 1, 7), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT CASE OLD.kind WHEN 'private' THEN 'new_private_enterprises' WHEN 'individual' THEN 'new_individual_businesses' WHEN 'coop' THEN 'new_cooperatives' END AS code, -(1) AS v UNION ALL SELECT 'jobs_driven' AS code, -(OLD.jobs) AS v) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, substr(NEW.registered_on, 1, 7), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT CASE NEW.kind WHEN 'private' THEN 'new_private_enterprises' WHEN 'individual' THEN 'new_individual_businesses' WHEN 'coop' THEN 'new_cooperatives' END AS code, (1) AS v UNION ALL SELECT 'jobs_driven' AS code, (NEW.jobs) AS v) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;

INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
SELECT x.code, x.anc, x.month, SUM(x.v), CAST(strftime('%s', 'now') AS INTEGER) FROM (
    SELECT 'new_entrepreneurs' AS code, a.anc AS anc, strftime('%Y-%m', t.created_at + 28800, 'unixepoch') AS month, 1 AS v
      FROM person t JOIN (SELECT t.id AS id, substr(t.region_code, 1, 2) || '0000000000' AS anc FROM person t UNION SELECT t.id AS id, substr(t.region_code, 1, 4) || '00000000' AS anc FROM person t UNION SELECT t.id AS id, substr(t.region_code, 1, 6) || '000000' AS anc FROM person t UNION SELECT t.id AS id, substr(t.region_code, 1, 9) || '000' AS anc FROM person t UNION SELECT t.id AS id, t.region_code AS anc FROM person t) a ON a.id = t.id
) x WHERE x.code IS NOT NULL AND x.v <> 0 GROUP BY x.code, x.anc, x.month;

CREATE TRIGGER indicator_person_insert AFTER INSERT ON person
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', NEW.created_at + 28800, 'unixepoch'), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'new_entrepreneurs' AS code, (1) AS v) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_person_delete AFTER DELETE ON person
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', OLD.created_at + 28800, 'unixepoch'), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'new_entrepreneurs' AS code, -(1) AS v) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_person_update AFTER UPDATE OF region_code, created_at ON person
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', OLD.created_at + 28800, 'unixepoch'), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'new_entrepreneurs' AS code, -(1) AS v) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', NEW.created_at + 28800, 'unixepoch'), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'new_entrepreneurs' AS code, (1) AS v) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;

INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
SELECT x.code, x.anc, x.month, SUM(x.v), CAST(strftime('%s', 'now') AS INTEGER) FROM (
    SELECT 'visits_made' AS code, a.anc AS anc, substr(t.visit_date, 1, 7) AS month, 1 AS v
      FROM visit t JOIN (SELECT t.id AS id, substr(t.region_code, 1, 2) || '0000000000' AS anc FROM visit t UNION SELECT t.id AS id, substr(t.region_code, 1, 4) || '00000000' AS anc FROM visit t UNION SELECT t.id AS id, substr(t.region_code, 1, 6) || '000000' AS anc FROM visit t UNION SELECT t.id AS id, substr(t.region_code, 1, 9) || '000' AS anc FROM visit t UNION SELECT t.id AS id, t.region_code AS anc FROM visit t) a ON a.id = t.id
) x WHERE x.code IS NOT NULL AND x.v <> 0 GROUP BY x.code, x.anc, x.month;

CREATE TRIGGER indicator_visit_insert AFTER INSERT ON visit
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, substr(NEW.visit_date, 1, 7), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'visits_made' AS code, (1) AS v) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_visit_delete AFTER DELETE ON visit
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, substr(OLD.visit_date, 1, 7), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'visits_made' AS code, -(1) AS v) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_visit_update AFTER UPDATE OF region_code, visit_date ON visit
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.visit_date IS NOT NEW.visit_date
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, substr(OLD.visit_date, 1, 7), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'visits_made' AS code, -(1) AS v) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, substr(NEW.visit_date, 1, 7), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'visits_made' AS code, (1) AS v) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.code IS NOT NULL AND i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
