-- Hot-weight arithmetic of the model configs shipped beside the theses (thesis/hotset.py),
-- so thesis checks can test the hot-set assumption with plain SQL.
CREATE TABLE model_hotsets (
    model            VARCHAR PRIMARY KEY,   -- config file name without .json
    name             VARCHAR,
    total_params     DOUBLE NOT NULL,
    activated_params DOUBLE NOT NULL,
    hot_ffn_params   DOUBLE NOT NULL,       -- dense FFN + shared experts: read by every token
    hot_all_params   DOUBLE NOT NULL,       -- everything every token reads, attention included
    hot_ffn_gb_fp8   DOUBLE NOT NULL,
    hot_all_gb_fp8   DOUBLE NOT NULL,
    computed_at      TIMESTAMP NOT NULL
);
