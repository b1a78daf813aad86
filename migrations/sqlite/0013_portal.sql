-- The public portal's content (issue 4): policies, service measures, work news, success
-- stories, notices and one profile per community, drafted at each level and published to
-- every level above. Communities submit to their sub-district for review; higher levels publish
-- their own directly. Every change is kept as a version; the public reads only what is
-- published, due and not expired.
CREATE TABLE portal_item (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,           -- policy | measure | news | story | notice | profile
    region_code     TEXT NOT NULL REFERENCES region(code),
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    body            TEXT NOT NULL,           -- HTML cleaned by an allow-list
    state           TEXT NOT NULL,           -- draft | review | returned | published | withdrawn
    version         BIGINT NOT NULL,
    publish_at      BIGINT,                  -- scheduled publication (unix seconds)
    expire_at       BIGINT,
    published_at    BIGINT,                  -- when it is or was public from
    doc_number      TEXT,                    -- policies: 文号
    issuer          TEXT,
    effective_on    TEXT,
    expires_on      TEXT,
    policy_status   TEXT,                    -- in_force | amended | repealed
    replaced_by     TEXT REFERENCES portal_item(id),
    business_id     TEXT REFERENCES business(id),   -- success stories
    return_reason   TEXT,
    withdraw_reason TEXT,
    created_by      TEXT REFERENCES app_user(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
-- The public lists: newest published of a kind (the region range filters within it).
CREATE INDEX portal_item_public ON portal_item(state, kind, published_at);
-- The back office: a region and below, by state.
CREATE INDEX portal_item_region ON portal_item(region_code, state, updated_at);
-- Every serving process follows changes and due times to keep its own search index current.
CREATE INDEX portal_item_updated ON portal_item(updated_at);
CREATE INDEX portal_item_due ON portal_item(published_at);
CREATE INDEX portal_item_expiry ON portal_item(expire_at);
-- One profile per community (a withdrawn one may be replaced).
CREATE UNIQUE INDEX portal_profile_one ON portal_item(region_code) WHERE kind = 'profile' AND state <> 'withdrawn';

CREATE TABLE portal_version (
    item_id    TEXT NOT NULL REFERENCES portal_item(id),
    version    BIGINT NOT NULL,
    state      TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    fields     TEXT NOT NULL,                -- the other fields as JSON
    note       TEXT,                         -- what happened: saved, submitted, returned (reason), …
    edited_by  TEXT REFERENCES app_user(id),
    edited_at  BIGINT NOT NULL,
    PRIMARY KEY (item_id, version)
);

-- A success story names a business only with its consent.
ALTER TABLE business ADD COLUMN publicity_consent INTEGER NOT NULL DEFAULT 0;
