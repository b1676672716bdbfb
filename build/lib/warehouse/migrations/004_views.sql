-- Views for thesis authors and analysts. Dates are UTC; an article without a
-- published time counts from when it was fetched.
CREATE VIEW v_articles AS
SELECT a.*, coalesce(a.published_at, a.fetched_at)::DATE AS published_date
FROM articles a;

CREATE VIEW v_claims AS
SELECT c.claim_id, c.article_id, c.subject, e.name AS subject_name, e.type AS subject_type,
       c.metric, c.value, c.unit, c.low, c.high, c.qualifier, c.previous_value, c.precision,
       c.period, c.quote, c.sentence, c.start_char, c.end_char,
       a.title, a.source, a.publisher, a.canonical_url AS url, a.lang,
       coalesce(a.published_at, a.fetched_at) AS published_at,
       coalesce(a.published_at, a.fetched_at)::DATE AS published_date
FROM claims c
JOIN articles a USING (article_id)
LEFT JOIN entities e ON e.entity_id = c.subject;

-- The newest claim per subject and metric (ties: the larger claim_id). arg_max over a narrow
-- join is about 3x faster than a window over v_claims on a million claims.
CREATE VIEW v_latest_claims AS
WITH latest AS (
    SELECT arg_max(c.claim_id, struct_pack(p := coalesce(a.published_at, a.fetched_at), c := c.claim_id)) AS claim_id
    FROM claims c JOIN articles a USING (article_id)
    WHERE c.subject IS NOT NULL
    GROUP BY c.subject, c.metric
)
SELECT v.* FROM v_claims v JOIN latest USING (claim_id);

-- A value that moved: stated outright ("raised from $68 to $80") or seen across articles.
CREATE VIEW v_claim_revisions AS
SELECT subject, metric, unit, period, previous_value AS old_value, value AS new_value,
       claim_id, NULL AS old_claim_id, published_at, source, quote
FROM v_claims
WHERE subject IS NOT NULL AND previous_value IS NOT NULL AND previous_value <> value
UNION ALL
SELECT subject, metric, unit, period, old_value, value AS new_value,
       claim_id, old_claim_id, published_at, source, quote
FROM (
    SELECT *, lag(value) OVER w AS old_value, lag(claim_id) OVER w AS old_claim_id,
              lag(article_id) OVER w AS old_article_id
    FROM v_claims
    WHERE subject IS NOT NULL
    WINDOW w AS (PARTITION BY subject, metric, unit, coalesce(period, '')
                 ORDER BY published_at, claim_id)
)
WHERE old_value IS NOT NULL AND old_value <> value AND old_article_id <> article_id;

CREATE VIEW v_mentions_daily AS
SELECT m.entity_id, e.name, e.type, a.published_date AS day,
       count(*) AS mentions, count(DISTINCT m.article_id) AS articles
FROM mentions m
JOIN v_articles a USING (article_id)
LEFT JOIN entities e USING (entity_id)
GROUP BY ALL;

-- Same subject, metric, unit and period, reported more than 5% apart by different sources.
CREATE VIEW v_conflicts AS
SELECT x.subject, x.metric, x.unit, x.period,
       x.value AS value_a, x.source AS source_a, x.claim_id AS claim_a,
       y.value AS value_b, y.source AS source_b, y.claim_id AS claim_b,
       abs(x.value - y.value) / greatest(abs(x.value), abs(y.value)) AS rel_diff
FROM v_claims x
JOIN v_claims y
  ON x.subject = y.subject AND x.metric = y.metric AND x.unit = y.unit
 AND x.period = y.period AND x.source <> y.source AND x.claim_id < y.claim_id
WHERE x.subject IS NOT NULL
  AND abs(x.value - y.value) > 0.05 * greatest(abs(x.value), abs(y.value));

CREATE VIEW v_status AS
SELECT s.* FROM assumption_status s
QUALIFY row_number() OVER (PARTITION BY thesis_id, assumption_id
                           ORDER BY evaluated_at DESC, run_id DESC) = 1;
