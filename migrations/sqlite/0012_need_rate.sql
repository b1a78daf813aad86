-- Needs closed on time (issue 5): two counts kept at write time like every derived figure (per
-- indicator × region × month, at every level), counted in the month a need was closed (China
-- time) — closed meaning resolved, or answered as unresolvable with a reason — and whether that
-- was on or before its deadline; and the rate, a `ratio` indicator recomputed at read time from
-- the two summed counts of the region asked (never an average of its children's rates).

INSERT INTO indicator (code, name, unit, definition, source, time_agg, region_agg, valid_from, sort_order, builtin) VALUES
 ('needs_closed', '需求办结数', '件', '本期办结（已解决，或说明无法解决的原因）的创业人员需求件数，按办结日期计入月份。', 'ledger', 'sum', 'sum', '2000-01-01', 70, 1),
 ('needs_closed_on_time', '需求按期办结数', '件', '本期办结的需求中，在办理期限当日或之前办结的件数。', 'ledger', 'sum', 'sum', '2000-01-01', 71, 1);
INSERT INTO indicator (code, name, unit, definition, source, time_agg, region_agg, numerator, denominator, valid_from, sort_order, builtin) VALUES
 ('needs_on_time_rate', '需求按期办结率', '%', '需求按期办结数 ÷ 需求办结数。各级的比率由本级及下级的件数合计后计算，不是下级比率的平均。', 'ledger', 'sum', 'ratio', 'needs_closed_on_time', 'needs_closed', '2000-01-01', 72, 1);

INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
SELECT x.code, x.anc, x.month, SUM(x.v), CAST(strftime('%s', 'now') AS INTEGER) FROM (
    SELECT i.code AS code, a.anc AS anc, strftime('%Y-%m', t.closed_at + 28800, 'unixepoch') AS month,
           CASE i.code WHEN 'needs_closed' THEN 1 ELSE (date(t.closed_at + 28800, 'unixepoch') <= t.deadline) END AS v
      FROM need t
      JOIN (SELECT 'needs_closed' AS code UNION ALL SELECT 'needs_closed_on_time') i
      JOIN (SELECT t.id AS id, substr(t.region_code, 1, 2) || '0000000000' AS anc FROM need t UNION SELECT t.id AS id, substr(t.region_code, 1, 4) || '00000000' AS anc FROM need t UNION SELECT t.id AS id, substr(t.region_code, 1, 6) || '000000' AS anc FROM need t UNION SELECT t.id AS id, substr(t.region_code, 1, 9) || '000' AS anc FROM need t UNION SELECT t.id AS id, t.region_code AS anc FROM need t) a ON a.id = t.id
     WHERE t.state IN ('resolved', 'unresolvable') AND t.closed_at IS NOT NULL
) x WHERE x.v <> 0 GROUP BY x.code, x.anc, x.month;

CREATE TRIGGER indicator_need_insert AFTER INSERT ON need
WHEN NEW.state IN ('resolved', 'unresolvable') AND NEW.closed_at IS NOT NULL
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', NEW.closed_at + 28800, 'unixepoch'), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'needs_closed' AS code, 1 AS v UNION ALL SELECT 'needs_closed_on_time', (date(NEW.closed_at + 28800, 'unixepoch') <= NEW.deadline)) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_need_delete AFTER DELETE ON need
WHEN OLD.state IN ('resolved', 'unresolvable') AND OLD.closed_at IS NOT NULL
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', OLD.closed_at + 28800, 'unixepoch'), -i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'needs_closed' AS code, 1 AS v UNION ALL SELECT 'needs_closed_on_time', (date(OLD.closed_at + 28800, 'unixepoch') <= OLD.deadline)) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_need_update AFTER UPDATE OF state, closed_at, deadline, region_code ON need
WHEN OLD.state IS NOT NEW.state OR OLD.closed_at IS NOT NEW.closed_at OR OLD.deadline IS NOT NEW.deadline OR OLD.region_code IS NOT NEW.region_code
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', OLD.closed_at + 28800, 'unixepoch'), -i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'needs_closed' AS code, 1 AS v UNION ALL SELECT 'needs_closed_on_time', (date(OLD.closed_at + 28800, 'unixepoch') <= OLD.deadline)) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.v <> 0 AND OLD.state IN ('resolved', 'unresolvable') AND OLD.closed_at IS NOT NULL
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', NEW.closed_at + 28800, 'unixepoch'), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'needs_closed' AS code, 1 AS v UNION ALL SELECT 'needs_closed_on_time', (date(NEW.closed_at + 28800, 'unixepoch') <= NEW.deadline)) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.v <> 0 AND NEW.state IN ('resolved', 'unresolvable') AND NEW.closed_at IS NOT NULL
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;

-- The needs behind the figures, listed by closing time over a wide scope.
CREATE INDEX need_closed ON need(closed_at, region_code);
