-- Ingestion: where news came from, every fetch attempt, articles stored once, and runs.
CREATE TABLE sources (
    name          VARCHAR PRIMARY KEY,
    kind          VARCHAR NOT NULL,
    location      VARCHAR NOT NULL,
    lang          VARCHAR,
    tags          VARCHAR[],
    etag          VARCHAR,
    last_modified VARCHAR,
    updated_at    TIMESTAMP
);

CREATE SEQUENCE fetch_id_seq;
CREATE TABLE fetches (
    fetch_id     BIGINT PRIMARY KEY,
    run_id       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    url          VARCHAR,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL,      -- ok | partial | not_modified | failed
    http_status  INTEGER,
    bytes        BIGINT,
    items        INTEGER,
    new_articles INTEGER,
    duplicates   INTEGER,
    error        VARCHAR,              -- why it failed or what was wrong with it
    note         VARCHAR               -- informational: charset used, DTD removed, retries
);

CREATE TABLE articles (
    article_id    VARCHAR PRIMARY KEY,  -- first 16 hex digits of content_hash
    content_hash  VARCHAR NOT NULL UNIQUE,
    source        VARCHAR NOT NULL,     -- the source that delivered it first
    canonical_url VARCHAR,
    title         VARCHAR,
    text          VARCHAR NOT NULL,
    lang          VARCHAR NOT NULL,     -- zh-Hant | zh-Hans | en
    locale        VARCHAR,              -- TW | CN | HK | US when the source says
    published_at  TIMESTAMP,            -- UTC
    fetched_at    TIMESTAMP NOT NULL,   -- UTC
    publisher     VARCHAR,
    tag           VARCHAR,
    parent_id     VARCHAR,              -- a story split out of a bundled briefing
    is_bundle     BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE article_sources (
    article_id    VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    item_key      VARCHAR NOT NULL,     -- canonical URL, else GUID, else content hash
    url           VARCHAR,
    first_seen_at TIMESTAMP NOT NULL,
    run_id        VARCHAR,
    PRIMARY KEY (article_id, source, item_key)
);

CREATE TABLE runs (
    run_id       VARCHAR PRIMARY KEY,
    flow_run_id  VARCHAR,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    as_of        DATE,
    status       VARCHAR NOT NULL,      -- running | completed | failed
    sources      INTEGER,
    fetched      INTEGER,
    new_articles INTEGER,
    duplicates   INTEGER,
    failed       INTEGER,
    claims       INTEGER,
    eval_fingerprint VARCHAR            -- theses + warehouse state the evaluation saw
);
