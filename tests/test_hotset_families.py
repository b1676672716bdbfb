"""thesis.hotset across MoE families: layouts detected by fields, hand-counted tiny
configs for each layout kind, every shipped config against its vendor's figures.

Expected counts are worked out by hand in the comments; published figures are
copied from the vendors' model cards and papers (see each file's _published.source).
"""

import json
from pathlib import Path

import pytest

from thesis.hotset import NO_ALWAYS_ON_FFN, breakdown, load_config, main, render, to_dict

MODELS = Path(__file__).resolve().parents[1] / "theses" / "models"


def model(name: str):
    return breakdown(load_config(str(MODELS / name)))


def within(ours: float, expected: float, pct: float) -> bool:
    return abs(ours - expected) <= expected * pct / 100


def counts(b) -> dict:
    """Everything numeric about a breakdown, without its labels."""
    d = to_dict(b)
    return {k: v for k, v in d.items() if k not in ("name", "model_type", "layout")}


# --- every shipped config vs its vendor's figures ----------------------------

# file, total, activated (None: not published), vendor counts embedding table, lm_head
PUBLISHED = [
    ("deepseek-v3.json", 671e9, 37e9, False, True),
    ("kimi-k2.json", 1.04e12, 32.6e9, True, True),
    ("glm-4.5.json", 355e9, 32e9, False, False),
    ("llama-4-scout.json", 109e9, 17e9, True, True),
    ("llama-4-maverick.json", 400e9, 17e9, True, True),
    ("dbrx.json", 132e9, 36e9, False, True),
    ("olmoe-1b-7b.json", 6.9e9, 1.3e9, True, True),
    ("minimax-m2.json", 230e9, 10e9, False, False),
    ("phi-3.5-moe.json", 41.9e9, 6.6e9, True, True),
    ("grok-1.json", 314e9, None, False, True),
    ("mixtral-8x7b.json", 46.7e9, 12.9e9, True, True),
    ("qwen3-30b-a3b.json", 30.5e9, 3.3e9, True, True),
    ("gpt-oss-120b.json", 117e9, 5.1e9, False, True),
]


def test_every_shipped_config_is_in_the_table():
    assert sorted(p.name for p in MODELS.glob("*.json")) == sorted(row[0] for row in PUBLISHED)


@pytest.mark.parametrize("name, total, activated, embedding, lm_head", PUBLISHED)
def test_shipped_config_within_2pct_of_published(name, total, activated, embedding, lm_head):
    b = model(name)
    p = b.published
    # the file records the same figures and convention as this table
    assert (p["total_params"], p.get("activated_params")) == (total, activated)
    assert bool(p.get("activated_counts_input_embedding")) is embedding
    assert p.get("activated_counts_lm_head", True) is lm_head
    assert within(b.total_params, total, 2)
    ours = (b.activated_params + (b.components["embeddings"].lookup if embedding else 0)
            - (0 if lm_head else b.components["lm_head"].always))
    assert ours == b.activated_params_vendor
    if activated is not None:
        assert within(ours, activated, 2)


def test_grok_1_activated_share_matches_the_rounded_25_percent():
    # xAI gives no count, only "25% of the weights active on a given token";
    # a share stated to the nearest 5 points allows 22.5-27.5%.
    b = model("grok-1.json")
    assert 22.5 <= b.activated_params_vendor / b.total_params * 100 < 27.5
    assert "no published activated count (the vendor states only ~25% of weights)" in render(b)


# --- layout detected by fields, not by label ----------------------------------

@pytest.mark.parametrize("label", ["kimi_k2", "no_such_family", None])
def test_deepseek_v3_shaped_config_counts_the_same_under_any_label(label):
    cfg = json.loads((MODELS / "deepseek-v3.json").read_text())
    relabelled = {**cfg, "model_type": label}
    if label is None:
        del relabelled["model_type"]
    assert counts(breakdown(relabelled)) == counts(breakdown(cfg))


def test_kimi_k2_is_counted_as_deepseek_v3_architecture():
    b = model("kimi-k2.json")
    s = b.spec
    assert s.model_type == "kimi_k2" and s.mla is not None and s.router_bias
    assert s.moe_layers == (False,) + (True,) * 60
    # hand count: 1 dense layer 3*7168*18432, 60 shared experts 3*7168*2048
    assert b.components["dense_ffn"].always == 3 * 7168 * 18432
    assert b.components["shared_expert_ffn"].always == 60 * 3 * 7168 * 2048


def test_maverick_interleaves_dense_and_moe_layers():
    s = model("llama-4-maverick.json").spec
    assert s.moe_layers == (False, True) * 24
    assert (s.dense_ffn, s.expert_ffn, s.shared_ffn) == (16384, 8192, 8192)


def test_models_without_an_always_on_ffn_say_so():
    for name in ("mixtral-8x7b.json", "dbrx.json", "grok-1.json", "minimax-m2.json"):
        b = model(name)
        assert b.hot_ffn_params == 0
        line = next(ln for ln in render(b).splitlines() if ln.startswith("hot set, FFN only"))
        assert line.endswith(NO_ALWAYS_ON_FFN)
        assert "0.00" not in line
        assert to_dict(b)["always_on_ffn"] is False
    assert "FFN weight is routed" not in render(model("deepseek-v3.json"))


# --- hand-computed tiny configs, one per layout kind ---------------------------

TINY_LLAMA4 = {
    "model_type": "llama4", "tie_word_embeddings": False,
    "text_config": {
        "model_type": "llama4_text", "vocab_size": 10, "hidden_size": 4,
        "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
        "head_dim": 2, "num_local_experts": 3, "num_experts_per_tok": 1,
        "intermediate_size": 2, "intermediate_size_mlp": 5,
        "interleave_moe_layer_step": 2, "use_qk_norm": True,
    },
}


def test_tiny_llama4_nested_interleaved_shared_expert_by_hand():
    # step 2: layer 1 MoE, layer 0 dense (width intermediate_size_mlp 5)
    # attention/layer: q 4*4=16, k 4*2=8, v 8, o 16 = 48 (L2 q/k norm has no weights); x2 = 96
    # dense 3*4*5 = 60; shared 3*4*2 = 24; expert 24 -> routed 3*24 = 72, active 24
    # router 4*3 = 12; norms 2*2*4 + 4 = 20; embeddings 40 (lookup), lm_head 40
    b = breakdown(TINY_LLAMA4)
    c = b.components
    assert b.spec.moe_layers == (False, True)
    assert c["attention"].always == 96
    assert c["dense_ffn"].always == 60
    assert c["shared_expert_ffn"].always == 24
    assert (c["routed_experts"].routed_total, c["routed_experts"].routed_active) == (72, 24)
    assert c["router"].always == 12
    assert b.total_params == 96 + 60 + 24 + 72 + 12 + 20 + 40 + 40 == 364
    assert b.activated_params == 96 + 60 + 24 + 24 + 12 + 20 + 40 == 276
    assert b.hot_ffn_params == 84


def test_explicit_moe_layers_list_wins_over_the_step():
    cfg = {**TINY_LLAMA4, "text_config": {**TINY_LLAMA4["text_config"], "moe_layers": [0]}}
    assert breakdown(cfg).spec.moe_layers == (True, False)


TINY_DBRX = {
    "model_type": "dbrx", "vocab_size": 10, "d_model": 4, "n_heads": 2, "n_layers": 1,
    "attn_config": {"kv_n_heads": 1, "clip_qkv": 8},
    "ffn_config": {"ffn_hidden_size": 3, "moe_num_experts": 4, "moe_top_k": 2},
    "tie_word_embeddings": False,
}


def test_tiny_dbrx_nested_ffn_and_attn_config_by_hand():
    # head_dim 4/2 = 2: attention q 16 + k 8 + v 8 + o 16 = 48
    # expert 3*4*3 = 36 -> routed 4*36 = 144, active 2*36 = 72; router 4*4 = 16
    # norms 2*4 + 4 = 12; embeddings 40, lm_head 40
    b = breakdown(TINY_DBRX)
    assert b.components["attention"].always == 48
    assert b.components["routed_experts"].routed_total == 144
    assert b.total_params == 48 + 144 + 16 + 12 + 40 + 40 == 300
    assert b.activated_params == 48 + 72 + 16 + 12 + 40 == 188


TINY_GLM = {
    "model_type": "glm4_moe", "vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 2,
    "first_k_dense_replace": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
    "head_dim": 2, "intermediate_size": 5, "moe_intermediate_size": 2,
    "n_shared_experts": 1, "n_routed_experts": 4, "num_experts_per_tok": 2,
    "attention_bias": True, "use_qk_norm": True, "tie_word_embeddings": False,
    "_published": {"total_params": 420, "activated_params": 292,
                   "activated_counts_input_embedding": False, "activated_counts_lm_head": False},
}


def test_tiny_glm_qkv_bias_per_head_qk_norm_and_vendor_convention_by_hand():
    # attention/layer: 48 + q bias 4 + k bias 2 + v bias 2 (o_proj has none) + q/k norm
    #   2*head_dim 4 = 60; x2 = 120
    # layer 0 dense 3*4*5 = 60; layer 1 shared 3*4*2 = 24, expert 24 -> routed 96,
    #   active 48, router 4*4 + correction bias 4 = 20; norms 20; embeddings 40, lm_head 40
    b = breakdown(TINY_GLM)
    assert b.components["attention"].always == 120
    assert b.components["router"].always == 20
    assert b.total_params == 120 + 60 + 24 + 96 + 20 + 20 + 40 + 40 == 420
    # Z.ai's convention leaves out both the embedding table and lm_head
    assert b.activated_params_vendor == 120 + 60 + 24 + 48 + 20 + 20 == 292
    assert to_dict(b)["published"]["activated_deviation_pct"] == 0
    assert "counted as the vendor does: embedding table out, lm_head out" in render(b)


def test_tiny_olmoe_full_width_qk_norm_by_hand():
    # head_dim 2, 2 heads, 2 kv heads: attention 4 matrices 4*4 = 64 + q_norm 4 + k_norm 4 = 72
    # expert 3*4*3 = 36 -> routed 72; router 4*2 = 8; norms 12; embeddings 40, lm_head 40
    cfg = {"model_type": "olmoe", "vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1,
           "num_attention_heads": 2, "num_key_value_heads": 2, "num_experts": 2,
           "num_experts_per_tok": 1, "intermediate_size": 3, "tie_word_embeddings": False}
    b = breakdown(cfg)
    assert b.components["attention"].always == 72
    assert b.total_params == 72 + 72 + 8 + 12 + 40 + 40 == 244


TINY_MINIMAX = {
    "model_type": "minimax_m2", "vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1,
    "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 3,
    "num_local_experts": 2, "num_experts_per_tok": 1, "intermediate_size": 2,
    "use_qk_norm": True, "qk_norm_type": "per_layer", "use_routing_bias": True,
    "shared_intermediate_size": 0, "attn_type_list": [1], "tie_word_embeddings": False,
}


def test_tiny_minimax_per_layer_qk_norm_and_routing_bias_by_hand():
    # q 2*3 = 6 wide, k/v 3 wide: q 4*6=24, k 12, v 12, o 24 = 72; per_layer norms run
    #   over all heads: q_norm 6 + k_norm 3 = 81 (per head it would be 2*3 = 6)
    # expert 3*4*2 = 24 -> routed 48; router 4*2 + bias 2 = 10; norms 12; 40 + 40
    b = breakdown(TINY_MINIMAX)
    assert b.components["attention"].always == 81
    assert b.components["router"].always == 10
    assert b.total_params == 81 + 48 + 10 + 12 + 40 + 40 == 231
    per_head = breakdown({**TINY_MINIMAX, "qk_norm_type": "per_head"})
    assert per_head.components["attention"].always == 72 + 6


def test_lightning_attention_layers_are_refused_not_miscounted():
    with pytest.raises(ValueError, match=r"^field 'attn_type_list' marks lightning"):
        breakdown({**TINY_MINIMAX, "attn_type_list": [0]})


def test_tiny_phimoe_biases_and_layernorm_by_hand():
    # attention 48 + q bias 4 + k 2 + v 2 + o 4 = 60; experts 2 x 36 = 72 (both active)
    # router 8; LayerNorm weight + bias: (2 + 1) * 2*4 = 24; embeddings 40,
    # lm_head 40 + bias 10 = 50
    cfg = {"model_type": "phimoe", "vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1,
           "num_attention_heads": 2, "num_key_value_heads": 1, "num_local_experts": 2,
           "num_experts_per_tok": 2, "intermediate_size": 3, "attention_bias": True,
           "lm_head_bias": True, "tie_word_embeddings": False}
    b = breakdown(cfg)
    assert b.components["attention"].always == 60
    assert b.components["norms"].always == 24
    assert b.components["lm_head"].always == 50
    assert b.total_params == 60 + 72 + 8 + 24 + 40 + 50 == 254


def test_tiny_grok_sandwich_norms_and_tied_head_by_hand():
    # attention 48; expert 36 -> routed 72, active 36; router 8
    # 4 norms per layer + final = 5*4 = 20; tied table: lm_head 40, no lookup
    cfg = {"model_type": "grok-1", "vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1,
           "num_attention_heads": 2, "num_key_value_heads": 1, "num_experts": 2,
           "num_experts_per_tok": 1, "intermediate_size": 3, "tie_word_embeddings": True}
    b = breakdown(cfg)
    assert b.components["norms"].always == 20
    assert b.components["embeddings"].lookup == 0
    assert b.total_params == 48 + 72 + 8 + 20 + 40 == 188
    assert b.activated_params == 48 + 36 + 8 + 20 + 40 == 152


def test_moe_layer_freq_as_a_per_layer_list():
    cfg = {"model_type": "x", "vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 3,
           "num_attention_heads": 2, "n_routed_experts": 2, "num_experts_per_tok": 1,
           "moe_intermediate_size": 2, "intermediate_size": 5, "moe_layer_freq": [0, 1, 1]}
    b = breakdown(cfg)
    assert b.spec.moe_layers == (False, True, True)
    assert b.components["dense_ffn"].always == 3 * 4 * 5


# --- a config that cannot be read: one line naming the field --------------------

def write(tmp_path, cfg) -> str:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    return str(path)


def test_missing_nested_field_names_every_spelling(tmp_path, capsys):
    cfg = {**TINY_DBRX, "ffn_config": {"ffn_hidden_size": 3, "moe_num_experts": 4}}
    path = write(tmp_path, cfg)
    assert main([path]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == (
        f"Error: {path}: missing field 'num_experts_per_tok' or 'experts_per_token' or "
        "'moe_top_k' or 'ffn_config.moe_top_k' (needed for model_type 'dbrx'). "
        "Copy it from the model's config.json.\n")


def test_dense_config_is_refused_for_want_of_an_expert_count(tmp_path, capsys):
    cfg = {k: v for k, v in TINY_MINIMAX.items() if k != "num_local_experts"}
    assert main([write(tmp_path, cfg)]) == 1
    err = capsys.readouterr().err
    assert "missing field 'n_routed_experts' or 'num_experts' or 'num_local_experts'" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_field_inside_text_config(tmp_path, capsys):
    text = {k: v for k, v in TINY_LLAMA4["text_config"].items() if k != "vocab_size"}
    assert main([write(tmp_path, {**TINY_LLAMA4, "text_config": text})]) == 1
    assert "missing field 'vocab_size' (needed for model_type 'llama4_text')" in \
        capsys.readouterr().err


def test_text_config_that_is_not_an_object(tmp_path, capsys):
    assert main([write(tmp_path, {**TINY_LLAMA4, "text_config": [1]})]) == 1
    assert capsys.readouterr().err.endswith(
        "field 'text_config' must be an object, got [1]. Fix the value in the config file.\n")


def test_several_configs_need_table(capsys):
    paths = [str(MODELS / "dbrx.json"), str(MODELS / "grok-1.json")]
    assert main(paths) == 2
    assert capsys.readouterr().err == ("Error: several config files given without --table. "
                                       "Pass one file, or add --table.\n")
    assert main(["--table", *paths]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert [r.split(" | ")[0] for r in rows[2:]] == ["| DBRX", "| Grok-1"]
