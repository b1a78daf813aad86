-- Entered indicators (issue 5): one monthly value per indicator and region, entered by the
-- region, approved by the level above, which locks it and adds it to the kept figures (0008);
-- a correction after that needs the approving level to reopen it. Entries are due by
-- `due_day` of the following month; whether each came in time is kept.
ALTER TABLE indicator ADD COLUMN due_day INTEGER NOT NULL DEFAULT 10;

CREATE TABLE indicator_entry (
    id             TEXT PRIMARY KEY,
    indicator_code TEXT NOT NULL REFERENCES indicator(code),
    region_code    TEXT NOT NULL REFERENCES region(code),
    month          TEXT NOT NULL,             -- 'YYYY-MM'
    value          BIGINT NOT NULL,
    state          TEXT NOT NULL,             -- 'submitted' | 'approved' | 'returned' | 'reopened'
    due_on         TEXT NOT NULL,             -- 'YYYY-MM-DD'
    on_time        INTEGER NOT NULL,
    entered_by     TEXT REFERENCES app_user(id),
    entered_at     BIGINT NOT NULL,
    decided_by     TEXT REFERENCES app_user(id),
    decided_at     BIGINT,
    reason         TEXT,
    UNIQUE (indicator_code, region_code, month)
);
CREATE INDEX indicator_entry_region ON indicator_entry(region_code, month);
CREATE INDEX indicator_entry_state ON indicator_entry(state, region_code);
