-- Extraction: entities (the gazetteer), mentions, numeric claims, and which articles are done.
CREATE TABLE entities (
    entity_id VARCHAR PRIMARY KEY,
    type      VARCHAR NOT NULL,
    name      VARCHAR NOT NULL,
    ticker    VARCHAR,
    parent    VARCHAR,
    aliases   VARCHAR[]
);

CREATE TABLE metrics (
    metric      VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL
);

CREATE TABLE mentions (
    article_id VARCHAR NOT NULL,
    entity_id  VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    text       VARCHAR NOT NULL,
    PRIMARY KEY (article_id, start_char, entity_id)
);

CREATE TABLE claims (
    claim_id          VARCHAR PRIMARY KEY,  -- article_id + span: stable across re-runs
    article_id        VARCHAR NOT NULL,
    subject           VARCHAR,
    metric            VARCHAR NOT NULL,
    value             DOUBLE,
    unit              VARCHAR NOT NULL,
    low               DOUBLE,
    high              DOUBLE,
    qualifier         VARCHAR NOT NULL,     -- exact | approx | at_least | at_most
    previous_value    DOUBLE,
    precision         VARCHAR,              -- FP8 / FP4 / BF16 ... for compute figures
    period            VARCHAR,              -- 2026, 2027Q4, 2027H2, 2025-11, 2025-12-18
    quote             VARCHAR NOT NULL,
    sentence          VARCHAR NOT NULL,
    start_char        INTEGER NOT NULL,
    end_char          INTEGER NOT NULL,
    extractor_version VARCHAR NOT NULL
);

CREATE TABLE extractions (
    article_id        VARCHAR PRIMARY KEY,
    extractor_version VARCHAR NOT NULL,
    extracted_at      TIMESTAMP NOT NULL,
    mentions          INTEGER,
    claims            INTEGER
);
