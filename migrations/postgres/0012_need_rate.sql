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

-- A closed need's contributions: (indicator, month, value) for each of its region's levels.
CREATE FUNCTION need_figures(region TEXT, state TEXT, closed_at BIGINT, deadline TEXT, sign INTEGER)
RETURNS TABLE (code TEXT, anc TEXT, month TEXT, v INTEGER) AS $$
    SELECT i.code, a.anc, to_char(to_timestamp(closed_at + 28800) AT TIME ZONE 'UTC', 'YYYY-MM'), sign * i.v
      FROM (SELECT 'needs_closed' AS code, 1 AS v
            UNION ALL SELECT 'needs_closed_on_time',
                CASE WHEN to_char(to_timestamp(closed_at + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD') <= deadline THEN 1 ELSE 0 END) i,
           (SELECT substr(region, 1, 2) || '0000000000' AS anc UNION SELECT substr(region, 1, 4) || '00000000'
            UNION SELECT substr(region, 1, 6) || '000000' UNION SELECT substr(region, 1, 9) || '000' UNION SELECT region) a
     WHERE state IN ('resolved', 'unresolvable') AND closed_at IS NOT NULL AND i.v <> 0
$$ LANGUAGE sql STABLE;

INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
SELECT f.code, f.anc, f.month, SUM(f.v), CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
  FROM need t, LATERAL need_figures(t.region_code, t.state, t.closed_at, t.deadline, 1) f
 WHERE t.state IN ('resolved', 'unresolvable') AND t.closed_at IS NOT NULL
 GROUP BY f.code, f.anc, f.month;

CREATE FUNCTION indicator_need_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT f.code, f.anc, f.month, SUM(f.v), CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
      FROM new_rows n, LATERAL need_figures(n.region_code, n.state, n.closed_at, n.deadline, 1) f
     WHERE n.state IN ('resolved', 'unresolvable') AND n.closed_at IS NOT NULL
     GROUP BY f.code, f.anc, f.month ORDER BY 1, 2, 3
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = indicator_value.value + EXCLUDED.value, updated_at = EXCLUDED.updated_at;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER indicator_need_insert AFTER INSERT ON need
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_need_insert();

CREATE FUNCTION indicator_need_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT f.code, f.anc, f.month, f.v, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
      FROM need_figures(OLD.region_code, OLD.state, OLD.closed_at, OLD.deadline, -1) f
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = indicator_value.value + EXCLUDED.value, updated_at = EXCLUDED.updated_at;
    IF TG_OP = 'UPDATE' THEN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT f.code, f.anc, f.month, f.v, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
      FROM need_figures(NEW.region_code, NEW.state, NEW.closed_at, NEW.deadline, 1) f
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = indicator_value.value + EXCLUDED.value, updated_at = EXCLUDED.updated_at;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER indicator_need_update AFTER UPDATE OF state, closed_at, deadline, region_code ON need
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.closed_at IS DISTINCT FROM NEW.closed_at
        OR OLD.deadline IS DISTINCT FROM NEW.deadline OR OLD.region_code IS DISTINCT FROM NEW.region_code)
    EXECUTE FUNCTION indicator_need_change();
CREATE TRIGGER indicator_need_delete AFTER DELETE ON need
    FOR EACH ROW EXECUTE FUNCTION indicator_need_change();

-- The needs behind the figures, listed by closing time over a wide scope.
CREATE INDEX need_closed ON need(closed_at, region_code);
