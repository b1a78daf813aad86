-- Consultations (咨询/留言, issue 4 point 5): citizens' questions sent through the portal to the
-- service point of the region they chose, answered within a deadline in working days, escalated
-- upward when late, published as questions and answers unless the asker or the replier keeps
-- them private. The asker reads the reply with a lookup code (only its hash is kept).
CREATE TABLE consultation (
    id             TEXT PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES region(code),   -- the region asked
    handler_code   TEXT NOT NULL REFERENCES region(code),   -- whose service point answers now
    category       TEXT NOT NULL,
    question       TEXT NOT NULL,
    asker_name     TEXT,
    contact_cipher TEXT,                  -- optional mobile number, SM4-encrypted
    contact_masked TEXT,
    is_private     BIGINT NOT NULL DEFAULT 0,
    lookup_hash    TEXT NOT NULL UNIQUE,
    state          TEXT NOT NULL,         -- open | answered | dismissed
    asked_at       BIGINT NOT NULL,
    due_on         TEXT NOT NULL,         -- YYYY-MM-DD, China time
    reminded_at    BIGINT,
    escalated_at   BIGINT,
    escalations    BIGINT NOT NULL DEFAULT 0,
    answer         TEXT,
    answered_at    BIGINT,
    answered_by    TEXT REFERENCES app_user(id),
    published      BIGINT NOT NULL DEFAULT 0,   -- on the public Q&A page
    dismiss_reason TEXT,
    updated_at     BIGINT NOT NULL
);
-- A service point's queue: what it must answer, by deadline.
CREATE INDEX consultation_handler ON consultation(handler_code, state, due_on);
-- Monthly statistics and the back-office list of a region and below.
CREATE INDEX consultation_asked ON consultation(region_code, asked_at);
-- The public Q&A page, newest answer first.
CREATE INDEX consultation_public ON consultation(published, answered_at);
-- The search index follows changes.
CREATE INDEX consultation_updated ON consultation(updated_at);
-- The daily deadline sweep.
CREATE INDEX consultation_due ON consultation(state, due_on);

-- Consultations answered on time: two counts kept at write time per region (every level) and
-- month answered (China time), and the rate recomputed at read time from the summed counts.
INSERT INTO indicator (code, name, unit, definition, source, time_agg, region_agg, valid_from, sort_order, builtin) VALUES
 ('consultations_answered', '咨询答复数', '件', '本期答复的群众咨询（留言）件数，按答复日期计入月份，计入群众所选地区。', 'portal', 'sum', 'sum', '2000-01-01', 80, 1),
 ('consultations_answered_on_time', '咨询按期答复数', '件', '本期答复的咨询中，在答复期限当日或之前答复的件数。', 'portal', 'sum', 'sum', '2000-01-01', 81, 1);
INSERT INTO indicator (code, name, unit, definition, source, time_agg, region_agg, numerator, denominator, valid_from, sort_order, builtin) VALUES
 ('consultations_on_time_rate', '咨询按期答复率', '%', '咨询按期答复数 ÷ 咨询答复数。各级的比率由本级及下级的件数合计后计算，不是下级比率的平均。', 'portal', 'sum', 'ratio', 'consultations_answered_on_time', 'consultations_answered', '2000-01-01', 82, 1);

-- An answered consultation's contributions: (indicator, month, value) for each of its region's levels.
CREATE FUNCTION consultation_figures(region TEXT, state TEXT, answered_at BIGINT, due_on TEXT, sign INTEGER)
RETURNS TABLE (code TEXT, anc TEXT, month TEXT, v INTEGER) AS $$
    SELECT i.code, a.anc, to_char(to_timestamp(answered_at + 28800) AT TIME ZONE 'UTC', 'YYYY-MM'), sign * i.v
      FROM (SELECT 'consultations_answered' AS code, 1 AS v
            UNION ALL SELECT 'consultations_answered_on_time',
                CASE WHEN to_char(to_timestamp(answered_at + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD') <= due_on THEN 1 ELSE 0 END) i,
           (SELECT substr(region, 1, 2) || '0000000000' AS anc UNION SELECT substr(region, 1, 4) || '00000000'
            UNION SELECT substr(region, 1, 6) || '000000' UNION SELECT substr(region, 1, 9) || '000' UNION SELECT region) a
     WHERE state = 'answered' AND answered_at IS NOT NULL AND i.v <> 0
$$ LANGUAGE sql STABLE;

CREATE FUNCTION indicator_consultation_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT f.code, f.anc, f.month, SUM(f.v), CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
      FROM new_rows n, LATERAL consultation_figures(n.region_code, n.state, n.answered_at, n.due_on, 1) f
     WHERE n.state = 'answered' AND n.answered_at IS NOT NULL
     GROUP BY f.code, f.anc, f.month ORDER BY 1, 2, 3
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = indicator_value.value + EXCLUDED.value, updated_at = EXCLUDED.updated_at;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER indicator_consultation_insert AFTER INSERT ON consultation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_consultation_insert();

CREATE FUNCTION indicator_consultation_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT f.code, f.anc, f.month, f.v, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
      FROM consultation_figures(OLD.region_code, OLD.state, OLD.answered_at, OLD.due_on, -1) f
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = indicator_value.value + EXCLUDED.value, updated_at = EXCLUDED.updated_at;
    IF TG_OP = 'UPDATE' THEN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT f.code, f.anc, f.month, f.v, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
      FROM consultation_figures(NEW.region_code, NEW.state, NEW.answered_at, NEW.due_on, 1) f
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = indicator_value.value + EXCLUDED.value, updated_at = EXCLUDED.updated_at;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER indicator_consultation_update AFTER UPDATE OF state, answered_at, due_on, region_code ON consultation
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.answered_at IS DISTINCT FROM NEW.answered_at
        OR OLD.due_on IS DISTINCT FROM NEW.due_on OR OLD.region_code IS DISTINCT FROM NEW.region_code)
    EXECUTE FUNCTION indicator_consultation_change();
CREATE TRIGGER indicator_consultation_delete AFTER DELETE ON consultation
    FOR EACH ROW EXECUTE FUNCTION indicator_consultation_change();
