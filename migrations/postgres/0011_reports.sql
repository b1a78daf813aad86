-- Work summary reports (issue 5): the text template a campaign office edits, kept as versions
-- (the newest of the nearest region up the tree applies); and the entered indicator for the
-- demonstration system until the incubators area exists.
CREATE TABLE report_template (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES region(code),
    body        TEXT NOT NULL,
    created_by  TEXT REFERENCES app_user(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX report_template_region ON report_template(region_code, created_at);

INSERT INTO indicator (code, name, unit, definition, source, time_agg, region_agg, valid_from, sort_order, builtin) VALUES
 ('incubated_entities', '孵化基地入驻创业实体', '户', '本期新入驻创业孵化基地和创业示范基地的创业实体户数，由各级按月填报（孵化基地模块建成前）。', 'entered', 'sum', 'sum', '2000-01-01', 125, 1);

-- Evidence files attached to indicator entries are `file` rows owned by ('indicator_entry', id).

-- The visits behind the "visits made" figure, listed by date over a wide scope.
CREATE INDEX visit_date_region ON visit(visit_date, region_code);

-- The kept figures are updated in place by every ledger write: leave room on each page for
-- heap-only updates, and vacuum and analyze the table early rather than at 20 % dead rows
-- (a bulk load left 1.4 M dead versions that slowed the root's dashboard tenfold).
ALTER TABLE indicator_value SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE ledger_count SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
