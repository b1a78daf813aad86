-- The entrepreneur ledger: persons, businesses (status as effective-dated history), their links,
-- follow-up visits and the needs found (routed to member units), transfers between regions,
-- survival checks. Personal fields: <f>_cipher (SM4), <f>_index (SM3 blind index), <f>_masked.

CREATE TABLE person (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    id_cipher           TEXT NOT NULL,
    id_index            TEXT NOT NULL UNIQUE,
    id_masked           TEXT NOT NULL,
    birth_date          TEXT NOT NULL,
    sex                 TEXT NOT NULL,
    phone_cipher        TEXT,
    phone_index         TEXT,
    phone_masked        TEXT,
    education           TEXT NOT NULL,
    household           TEXT NOT NULL,
    party_member        INTEGER NOT NULL DEFAULT 0,
    region_code         TEXT NOT NULL REFERENCES region(code),
    address             TEXT NOT NULL,
    responsible_user_id TEXT REFERENCES app_user(id),
    next_visit_date     TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX person_region_name ON person(region_code, name, id);
CREATE INDEX person_region_created ON person(region_code, created_at, id);
CREATE INDEX person_phone ON person(phone_index);

CREATE TABLE person_category (
    person_id TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    category  TEXT NOT NULL,
    PRIMARY KEY (person_id, category)
);
CREATE INDEX person_category_by_category ON person_category(category, person_id);

CREATE TABLE business (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    uscc                 TEXT UNIQUE,
    uscc_override_reason TEXT,
    industry             TEXT NOT NULL,
    registered_on        TEXT NOT NULL,
    region_code          TEXT NOT NULL REFERENCES region(code),
    address              TEXT NOT NULL,
    capital_fen          INTEGER NOT NULL DEFAULT 0,
    status               TEXT NOT NULL,
    status_since         TEXT NOT NULL,
    jobs                 INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX business_region_name ON business(region_code, name, id);
CREATE INDEX business_region_registered ON business(region_code, registered_on, id);
CREATE INDEX business_kind ON business(kind, region_code);

-- Never updated: the status on any date is the latest row with valid_from <= that date.
CREATE TABLE business_status (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES business(id),
    status      TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_at INTEGER NOT NULL,
    recorded_by TEXT
);
CREATE INDEX business_status_history ON business_status(business_id, valid_from);

CREATE TABLE business_jobs (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES business(id),
    jobs        INTEGER NOT NULL,
    as_of       TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX business_jobs_history ON business_jobs(business_id, as_of);

CREATE TABLE person_business (
    person_id   TEXT NOT NULL REFERENCES person(id),
    business_id TEXT NOT NULL REFERENCES business(id),
    role        TEXT NOT NULL,
    since       TEXT NOT NULL,
    PRIMARY KEY (person_id, business_id, role)
);
CREATE INDEX person_business_by_business ON person_business(business_id);

CREATE TABLE visit (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES person(id),
    business_id     TEXT REFERENCES business(id),
    region_code     TEXT NOT NULL REFERENCES region(code),
    visit_date      TEXT NOT NULL,
    method          TEXT NOT NULL,
    staff_user_id   TEXT REFERENCES app_user(id),
    notes           TEXT NOT NULL,
    next_visit_date TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX visit_person ON visit(person_id, visit_date);
CREATE INDEX visit_region_date ON visit(region_code, visit_date, id);

CREATE TABLE need (
    id          TEXT PRIMARY KEY,
    visit_id    TEXT NOT NULL REFERENCES visit(id),
    person_id   TEXT NOT NULL REFERENCES person(id),
    region_code TEXT NOT NULL REFERENCES region(code),
    kind        TEXT NOT NULL,
    description TEXT NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES unit(id),
    deadline    TEXT NOT NULL,
    state       TEXT NOT NULL,
    reason      TEXT,
    reminded_at INTEGER,
    escalated_at INTEGER,
    closed_at   INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX need_unit_state ON need(unit_id, state, deadline);
CREATE INDEX need_person ON need(person_id);
CREATE INDEX need_open_deadline ON need(state, deadline);

CREATE TABLE transfer_request (
    id           TEXT PRIMARY KEY,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    from_region  TEXT NOT NULL REFERENCES region(code),
    to_region    TEXT NOT NULL REFERENCES region(code),
    requested_by TEXT REFERENCES app_user(id),
    state        TEXT NOT NULL,
    reason       TEXT,
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    decided_by   TEXT
);
CREATE INDEX transfer_from ON transfer_request(from_region, state);
CREATE INDEX transfer_to ON transfer_request(to_region, state);

CREATE TABLE survival_check (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES business(id),
    region_code TEXT NOT NULL REFERENCES region(code),
    months      INTEGER NOT NULL,
    due_date    TEXT NOT NULL,
    state       TEXT NOT NULL,
    result      TEXT,
    done_at     INTEGER,
    done_by     TEXT,
    UNIQUE (business_id, months)
);
CREATE INDEX survival_check_region ON survival_check(region_code, state, due_date);
