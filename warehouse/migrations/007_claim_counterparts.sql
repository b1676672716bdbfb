-- What a claim is compared with (versus: an entity id), the benchmark a score is on, and the
-- subject as written when it has no entity id. A ratio against one counterpart is not a
-- revision of, nor in conflict with, a ratio against another.
ALTER TABLE claims ADD COLUMN versus VARCHAR;
ALTER TABLE claims ADD COLUMN benchmark VARCHAR;
ALTER TABLE claims ADD COLUMN subject_text VARCHAR;

CREATE OR REPLACE VIEW v_claims AS
SELECT c.claim_id, c.article_id, c.subject, e.name AS subject_name, e.type AS subject_type,
       c.metric, c.value, c.unit, c.low, c.high, c.qualifier, c.previous_value, c.precision,
       c.period, c.quote, c.sentence, c.start_char, c.end_char,
       a.title, a.source, a.publisher, a.canonical_url AS url, a.lang,
       coalesce(a.published_at, a.fetched_at) AS published_at,
       coalesce(a.published_at, a.fetched_at)::DATE AS published_date,
       c.versus, v.name AS versus_name, c.benchmark, c.subject_text
FROM claims c
JOIN articles a USING (article_id)
LEFT JOIN entities e ON e.entity_id = c.subject
LEFT JOIN entities v ON v.entity_id = c.versus;

CREATE OR REPLACE VIEW v_claim_revisions AS
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
    WINDOW w AS (PARTITION BY subject, metric, unit, coalesce(period, ''), coalesce(versus, ''),
                 coalesce(benchmark, '')
                 ORDER BY published_at, claim_id)
)
WHERE old_value IS NOT NULL AND old_value <> value AND old_article_id <> article_id;

CREATE OR REPLACE VIEW v_conflicts AS
SELECT x.subject, x.metric, x.unit, x.period,
       x.value AS value_a, x.source AS source_a, x.claim_id AS claim_a,
       y.value AS value_b, y.source AS source_b, y.claim_id AS claim_b,
       abs(x.value - y.value) / greatest(abs(x.value), abs(y.value)) AS rel_diff
FROM v_claims x
JOIN v_claims y
  ON x.subject = y.subject AND x.metric = y.metric AND x.unit = y.unit
 AND x.period = y.period AND x.source <> y.source AND x.claim_id < y.claim_id
 AND x.versus IS NOT DISTINCT FROM y.versus AND x.benchmark IS NOT DISTINCT FROM y.benchmark
WHERE x.subject IS NOT NULL
  AND abs(x.value - y.value) > 0.05 * greatest(abs(x.value), abs(y.value));
