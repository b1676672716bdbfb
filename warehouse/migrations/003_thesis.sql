-- Theses: status history per assumption, alerts through an outbox, snoozes.
CREATE TABLE assumption_status (
    thesis_id     VARCHAR NOT NULL,
    assumption_id VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,     -- assumption | risk
    severity      VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    as_of         DATE,
    evaluated_at  TIMESTAMP NOT NULL,
    status        VARCHAR NOT NULL,
    value         DOUBLE,
    detail        VARCHAR,
    evidence_ids  VARCHAR[],
    PRIMARY KEY (thesis_id, assumption_id, run_id)
);

CREATE TABLE alert_outbox (
    alert_key     VARCHAR PRIMARY KEY,  -- thesis/assumption/run: one alert per status change
    thesis_id     VARCHAR NOT NULL,
    assumption_id VARCHAR NOT NULL,
    severity      VARCHAR NOT NULL,
    old_status    VARCHAR,
    new_status    VARCHAR NOT NULL,
    value         DOUBLE,
    title         VARCHAR NOT NULL,
    body          VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    muted         BOOLEAN NOT NULL DEFAULT false,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    VARCHAR,
    delivered_at  TIMESTAMP
);

CREATE TABLE snoozes (
    thesis_id     VARCHAR NOT NULL,
    assumption_id VARCHAR NOT NULL,
    until_date    DATE NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (thesis_id, assumption_id)
);

-- Which target has received which alert: a failing target never makes the others receive it twice.
CREATE TABLE alert_deliveries (
    alert_key    VARCHAR NOT NULL,
    target       VARCHAR NOT NULL,      -- a hash of the target URL (URLs may hold tokens)
    delivered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (alert_key, target)
);
