-- Statements: who does what to whom, as the statements extractor reads it ("NVIDIA has not
-- acquired Groq": nvidia acquires groq, negated, fact), and the entity attributes the thesis
-- checks compare on (a dense model beating an MoE one, a hot set exceeding a near-memory tier).
ALTER TABLE entities ADD COLUMN architecture VARCHAR;  -- models: moe | dense
ALTER TABLE entities ADD COLUMN tier VARCHAR;          -- memory: sram | hbm | near_memory | dram
ALTER TABLE entities ADD COLUMN medium VARCHAR;        -- interconnect: copper | optics

CREATE TABLE statements (
    statement_id      VARCHAR PRIMARY KEY,  -- article_id:s<start>-<end>:<digest of the relation>
    article_id        VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    subject           VARCHAR,              -- entity id, or NULL with subject_text
    subject_text      VARCHAR,
    predicate         VARCHAR NOT NULL,     -- outperforms, acquires, bans_export, limits, ...
    object            VARCHAR,              -- entity or topic id, or NULL with object_text
    object_text       VARCHAR,
    qualifier         VARCHAR,              -- benchmark, country, thing raised, matter
    polarity          VARCHAR NOT NULL,     -- affirmed | negated
    modality          VARCHAR NOT NULL,     -- fact | forecast | hedged | conditional | question
    quote             VARCHAR NOT NULL,
    start_char        INTEGER NOT NULL,
    end_char          INTEGER NOT NULL,
    sentence          VARCHAR,
    sentence_start    INTEGER,
    sentence_end      INTEGER,
    claim_ids         VARCHAR[]             -- the claims this statement carries (claims.claim_id)
);

ALTER TABLE extractions ADD COLUMN statements INTEGER;

-- Statements with their article and both sides' names and attributes. `asserted` is the one
-- reading a check may count as news: an affirmed fact.
CREATE VIEW v_statements AS
SELECT s.statement_id, s.article_id, s.subject, se.name AS subject_name, se.type AS subject_type,
       se.parent AS subject_parent, se.architecture AS subject_architecture, se.tier AS subject_tier,
       se.medium AS subject_medium, s.subject_text,
       s.predicate,
       s.object, oe.name AS object_name, oe.type AS object_type, oe.parent AS object_parent,
       oe.architecture AS object_architecture, oe.tier AS object_tier, oe.medium AS object_medium,
       s.object_text,
       s.qualifier, s.polarity, s.modality, s.polarity = 'affirmed' AND s.modality = 'fact' AS asserted,
       s.quote, s.sentence, s.start_char, s.end_char, s.claim_ids,
       a.title, a.source, a.publisher, a.canonical_url AS url, a.lang,
       coalesce(a.published_at, a.fetched_at) AS published_at,
       coalesce(a.published_at, a.fetched_at)::DATE AS published_date
FROM statements s
JOIN articles a USING (article_id)
LEFT JOIN entities se ON se.entity_id = s.subject
LEFT JOIN entities oe ON oe.entity_id = s.object;
