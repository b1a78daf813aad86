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

CREATE TRIGGER indicator_consultation_insert AFTER INSERT ON consultation
WHEN NEW.state = 'answered' AND NEW.answered_at IS NOT NULL
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', NEW.answered_at + 28800, 'unixepoch'), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'consultations_answered' AS code, 1 AS v UNION ALL SELECT 'consultations_answered_on_time', (date(NEW.answered_at + 28800, 'unixepoch') <= NEW.due_on)) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_consultation_delete AFTER DELETE ON consultation
WHEN OLD.state = 'answered' AND OLD.answered_at IS NOT NULL
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', OLD.answered_at + 28800, 'unixepoch'), -i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'consultations_answered' AS code, 1 AS v UNION ALL SELECT 'consultations_answered_on_time', (date(OLD.answered_at + 28800, 'unixepoch') <= OLD.due_on)) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.v <> 0
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
CREATE TRIGGER indicator_consultation_update AFTER UPDATE OF state, answered_at, due_on, region_code ON consultation
WHEN OLD.state IS NOT NEW.state OR OLD.answered_at IS NOT NEW.answered_at OR OLD.due_on IS NOT NEW.due_on OR OLD.region_code IS NOT NEW.region_code
BEGIN
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', OLD.answered_at + 28800, 'unixepoch'), -i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'consultations_answered' AS code, 1 AS v UNION ALL SELECT 'consultations_answered_on_time', (date(OLD.answered_at + 28800, 'unixepoch') <= OLD.due_on)) i, (SELECT substr(OLD.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(OLD.region_code, 1, 4) || '00000000' UNION SELECT substr(OLD.region_code, 1, 6) || '000000' UNION SELECT substr(OLD.region_code, 1, 9) || '000' UNION SELECT OLD.region_code) a
     WHERE i.v <> 0 AND OLD.state = 'answered' AND OLD.answered_at IS NOT NULL
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
    INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at)
    SELECT i.code, a.code, strftime('%Y-%m', NEW.answered_at + 28800, 'unixepoch'), i.v, CAST(strftime('%s', 'now') AS INTEGER)
      FROM (SELECT 'consultations_answered' AS code, 1 AS v UNION ALL SELECT 'consultations_answered_on_time', (date(NEW.answered_at + 28800, 'unixepoch') <= NEW.due_on)) i, (SELECT substr(NEW.region_code, 1, 2) || '0000000000' AS code UNION SELECT substr(NEW.region_code, 1, 4) || '00000000' UNION SELECT substr(NEW.region_code, 1, 6) || '000000' UNION SELECT substr(NEW.region_code, 1, 9) || '000' UNION SELECT NEW.region_code) a
     WHERE i.v <> 0 AND NEW.state = 'answered' AND NEW.answered_at IS NOT NULL
    ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at;
END;
