-- Targets (目标值) per indicator, region and year (issue 5): set by the region itself or the
-- levels above; the dashboard shows completion against them and warns when a region is behind
-- the pace expected for the date.
CREATE TABLE indicator_target (
    indicator_code TEXT NOT NULL REFERENCES indicator(code),
    region_code    TEXT NOT NULL REFERENCES region(code),
    year           INTEGER NOT NULL,
    value          BIGINT NOT NULL,
    set_by         TEXT REFERENCES app_user(id),
    set_at         BIGINT NOT NULL,
    PRIMARY KEY (indicator_code, region_code, year)
);
CREATE INDEX indicator_target_region ON indicator_target(region_code, year);
