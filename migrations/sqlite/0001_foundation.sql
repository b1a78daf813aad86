-- Foundation: settings, regions, units, users, roles, memberships, sessions, login attempts,
-- audit log, jobs, files, API tokens. Integers are unix seconds; dates are 'YYYY-MM-DD' text.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE region (
    code           TEXT PRIMARY KEY,           -- 12-digit official statistical code
    name           TEXT NOT NULL,
    level          INTEGER NOT NULL,           -- 1 province .. 5 community/village
    parent_code    TEXT REFERENCES region(code),
    kind           TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,                       -- NULL while in force
    successor_code TEXT REFERENCES region(code)
);
CREATE INDEX region_parent ON region(parent_code, code);

CREATE TABLE region_name_history (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES region(code),
    name        TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NOT NULL
);
CREATE INDEX region_name_history_code ON region_name_history(region_code);

CREATE TABLE unit (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES region(code),
    created_at  INTEGER NOT NULL,
    UNIQUE (region_code, name)
);
CREATE INDEX unit_region ON unit(region_code);

CREATE TABLE app_user (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    is_demo              INTEGER NOT NULL DEFAULT 0,
    disabled             INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    password_changed_at  INTEGER
);

CREATE TABLE role (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    admin_kind TEXT,                            -- 'system' | 'security' | 'audit' | NULL
    builtin    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE role_permission (
    role_id    TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE membership (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES app_user(id),
    region_code TEXT NOT NULL REFERENCES region(code),
    unit_id     TEXT REFERENCES unit(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX membership_user ON membership(user_id);
CREATE INDEX membership_region ON membership(region_code);

CREATE TABLE membership_role (
    membership_id TEXT NOT NULL REFERENCES membership(id) ON DELETE CASCADE,
    role_id       TEXT NOT NULL REFERENCES role(id),
    PRIMARY KEY (membership_id, role_id)
);

CREATE TABLE session (
    id_hash       TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES app_user(id),
    membership_id TEXT REFERENCES membership(id) ON DELETE SET NULL,
    csrf          TEXT NOT NULL,
    ip            TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL
);
CREATE INDEX session_by_user ON session(user_id);

CREATE TABLE login_attempt (
    key          TEXT PRIMARY KEY,              -- 'user:NAME' or 'ip:ADDR'
    failures     INTEGER NOT NULL,
    first_at     INTEGER NOT NULL,
    locked_until INTEGER
);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY,
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    user_id       TEXT,
    username      TEXT NOT NULL,
    membership_id TEXT,
    region_code   TEXT,
    ip            TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    before_json   TEXT,
    after_json    TEXT,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id, seq);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_keep_180_days BEFORE DELETE ON audit_log
WHEN OLD.at > CAST(strftime('%s','now') AS INTEGER) - 180 * 86400
BEGIN
    SELECT RAISE(ABORT, 'audit_log rows younger than 180 days cannot be deleted');
END;

CREATE TABLE job (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    payload        TEXT NOT NULL,
    status         TEXT NOT NULL,               -- queued | running | done | failed
    attempts       INTEGER NOT NULL DEFAULT 0,
    max_attempts   INTEGER NOT NULL,
    run_at         INTEGER NOT NULL,
    locked_by      TEXT,
    locked_at      INTEGER,
    progress       INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER NOT NULL DEFAULT 0,
    message        TEXT,
    result         TEXT,
    created_by     TEXT REFERENCES app_user(id),
    region_code    TEXT,
    created_at     INTEGER NOT NULL,
    finished_at    INTEGER
);
CREATE INDEX job_ready ON job(status, run_at);
CREATE INDEX job_creator ON job(created_by, created_at);

CREATE TABLE file (
    id            TEXT PRIMARY KEY,
    sha           TEXT NOT NULL,               -- SM3 of the content, the storage address
    size          INTEGER NOT NULL,
    content_type  TEXT NOT NULL,
    original_name TEXT NOT NULL,
    region_code   TEXT NOT NULL REFERENCES region(code),
    owner_entity  TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    created_by    TEXT REFERENCES app_user(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX file_owner ON file(owner_entity, owner_id);
CREATE INDEX file_region ON file(region_code);

CREATE TABLE api_token (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES app_user(id),
    membership_id TEXT NOT NULL REFERENCES membership(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);
