-- The portal's job board and business ideas (issue 4 points 3 and 4): job postings (用工信息) and
-- labour supply (劳务信息) entered by staff or submitted by employers and workers through the
-- portal, and business ideas (创业项目) recommended by staff or solicited from citizens. Staff of
-- levels above a community publish directly; a community's entries go to its sub-district; a
-- public submission is reviewed by the staff of the region it chose. The public reads only what
-- is published and not past `expire_at` (the end of the day it is valid until, computed at read
-- time); contact phones are SM4-encrypted and shown only as the poster chose.
CREATE TABLE job_posting (
    id                 TEXT PRIMARY KEY,
    region_code        TEXT NOT NULL REFERENCES region(code),   -- the workplace
    employer           TEXT NOT NULL,
    position           TEXT NOT NULL,
    trade              TEXT NOT NULL,           -- a code of board::model::TRADES
    head_count         BIGINT NOT NULL,
    pay_min            BIGINT,                  -- yuan per month
    pay_max            BIGINT,
    pay_floor          BIGINT NOT NULL,         -- COALESCE(pay_max, pay_min, 0): the pay filter
    requirements       TEXT NOT NULL,
    contact_name       TEXT NOT NULL,
    contact_cipher     TEXT NOT NULL,           -- mobile number, SM4-encrypted
    contact_masked     TEXT NOT NULL,
    contact_visibility TEXT NOT NULL,           -- public | masked | staff
    valid_until        TEXT NOT NULL,           -- YYYY-MM-DD, China time
    expire_at          BIGINT NOT NULL,         -- the first second after valid_until
    origin             TEXT NOT NULL,           -- staff | public
    state              TEXT NOT NULL,           -- review | returned | published | rejected | withdrawn
    version            BIGINT NOT NULL,
    published_at       BIGINT,
    return_reason      TEXT,
    withdraw_reason    TEXT,
    created_by         TEXT REFERENCES app_user(id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
-- Public lists and matches: published, unexpired, of a trade (the region range filters within).
CREATE INDEX job_posting_public ON job_posting(state, trade, expire_at);
CREATE INDEX job_posting_newest ON job_posting(state, published_at);
-- The back office: a region and below, by state.
CREATE INDEX job_posting_region ON job_posting(region_code, state, updated_at);
-- The search follower: changes, publication and expiry.
CREATE INDEX job_posting_updated ON job_posting(updated_at);
CREATE INDEX job_posting_due ON job_posting(published_at);
CREATE INDEX job_posting_expiry ON job_posting(expire_at);

CREATE TABLE labour_supply (
    id                 TEXT PRIMARY KEY,
    region_code        TEXT NOT NULL REFERENCES region(code),
    trade              TEXT NOT NULL,
    head_count         BIGINT NOT NULL,
    description        TEXT NOT NULL,
    contact_name       TEXT NOT NULL,
    contact_cipher     TEXT NOT NULL,
    contact_masked     TEXT NOT NULL,
    contact_visibility TEXT NOT NULL,
    valid_until        TEXT NOT NULL,
    expire_at          BIGINT NOT NULL,
    origin             TEXT NOT NULL,
    state              TEXT NOT NULL,
    version            BIGINT NOT NULL,
    published_at       BIGINT,
    return_reason      TEXT,
    withdraw_reason    TEXT,
    created_by         TEXT REFERENCES app_user(id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX labour_supply_public ON labour_supply(state, trade, expire_at);
CREATE INDEX labour_supply_newest ON labour_supply(state, published_at);
CREATE INDEX labour_supply_region ON labour_supply(region_code, state, updated_at);
CREATE INDEX labour_supply_updated ON labour_supply(updated_at);
CREATE INDEX labour_supply_due ON labour_supply(published_at);
CREATE INDEX labour_supply_expiry ON labour_supply(expire_at);

CREATE TABLE business_idea (
    id               TEXT PRIMARY KEY,
    region_code      TEXT NOT NULL REFERENCES region(code),
    title            TEXT NOT NULL,
    category         TEXT NOT NULL,             -- a code of idea::model::CATEGORIES
    invest_min       BIGINT,                    -- ten thousand yuan (万元)
    invest_max       BIGINT,
    description      TEXT NOT NULL,             -- HTML cleaned by the portal's allow-list
    source           TEXT NOT NULL,             -- recommended | solicited
    submitter_name   TEXT,                      -- solicited ideas
    contact_cipher   TEXT,                      -- optional mobile number, SM4-encrypted
    contact_masked   TEXT,
    state            TEXT NOT NULL,             -- review | returned | published | rejected | withdrawn
    version          BIGINT NOT NULL,
    published_at     BIGINT,
    return_reason    TEXT,
    withdraw_reason  TEXT,
    created_by       TEXT REFERENCES app_user(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX business_idea_public ON business_idea(state, category, published_at);
CREATE INDEX business_idea_newest ON business_idea(state, published_at);
CREATE INDEX business_idea_region ON business_idea(region_code, state, updated_at);
CREATE INDEX business_idea_updated ON business_idea(updated_at);
CREATE INDEX business_idea_due ON business_idea(published_at);

-- The telephone of a region's labour-security service point, shown when a poster keeps the
-- contact for staff only (the nearest region up the tree that has one).
ALTER TABLE region ADD COLUMN hotline TEXT;
