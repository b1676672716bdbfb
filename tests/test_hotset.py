"""Tests for thesis.hotset: hand-derived small configs and published model sizes.

Expected values come from arithmetic written out here or from vendors'
published figures, never from the calculator's own output.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from thesis.hotset import breakdown, load_config, render, to_dict

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "theses" / "models"


def model(name: str):
    return breakdown(load_config(str(MODELS / name)))


def within(ours: float, expected: float, pct: float) -> bool:
    return abs(ours - expected) <= expected * pct / 100


# --- hand-computed small configs --------------------------------------------

TINY_MIXTRAL = {
    "model_type": "mixtral", "vocab_size": 10, "hidden_size": 4,
    "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
    "num_local_experts": 4, "num_experts_per_tok": 2, "intermediate_size": 3,
    "tie_word_embeddings": False,
}


def test_tiny_mixtral_counts_by_hand():
    # head_dim = 4/2 = 2; q = 2 heads*2 = 4 wide, k/v = 1 head*2 = 2 wide.
    # attention/layer: q 4*4=16 + k 4*2=8 + v 8 + o 4*4=16 = 48; x2 layers = 96
    # expert: 3*4*3 = 36; routed total 4*36*2 layers = 288; active 2*36*2 = 144
    # router: 4*4 per layer x2 = 32; norms: 2*4*2 + final 4 = 20
    # embeddings 10*4 = 40 (lookup), lm_head 40 (untied)
    b = breakdown(TINY_MIXTRAL)
    c = b.components
    assert c["attention"].always == 96
    assert (c["routed_experts"].routed_total, c["routed_experts"].routed_active) == (288, 144)
    assert c["router"].always == 32
    assert c["norms"].always == 20
    assert (c["embeddings"].lookup, c["lm_head"].always) == (40, 40)
    assert c["dense_ffn"].always == c["shared_expert_ffn"].always == 0
    assert b.total_params == 96 + 288 + 32 + 20 + 40 + 40 == 516
    assert b.activated_params == 96 + 144 + 32 + 20 + 40 == 332
    assert b.activated_params_incl_embedding == 332 + 40
    assert b.hot_ffn_params == 0
    assert b.hot_all_params == 96 + 32 + 20 + 40 == 188


TINY_DEEPSEEK = {
    "model_type": "deepseek_v3", "vocab_size": 10, "hidden_size": 4,
    "num_hidden_layers": 2, "first_k_dense_replace": 1, "moe_layer_freq": 1,
    "intermediate_size": 5, "moe_intermediate_size": 2, "n_shared_experts": 1,
    "n_routed_experts": 4, "num_experts_per_tok": 2, "num_attention_heads": 2,
    "num_key_value_heads": 2, "q_lora_rank": 3, "kv_lora_rank": 2,
    "qk_nope_head_dim": 2, "qk_rope_head_dim": 1, "v_head_dim": 2,
    "tie_word_embeddings": True, "num_nextn_predict_layers": 1,
    "topk_method": "noaux_tc",  # V3's aux-loss-free routing: a correction bias per expert
}


def test_tiny_deepseek_mla_dense_shared_and_tied_head_by_hand():
    # MLA/layer: q_a 4*3=12, q_a_norm 3, q_b 3*2*(2+1)=18, kv_a 4*(2+1)=12,
    #   kv_a_norm 2, kv_b 2*2*(2+2)=16, o 2*2*4=16 -> 79; x2 layers = 158
    # layer 0 dense FFN 3*4*5 = 60; layer 1 MoE: shared 3*4*(1*2) = 24,
    #   expert 3*4*2 = 24 -> routed 4*24 = 96, active 2*24 = 48,
    #   router 4*4 + correction bias 4 = 20
    # norms 2*4*2 + 4 = 20; tied: the table is read in full as lm_head (40),
    #   so it is counted there once and not as a lookup.
    b = breakdown(TINY_DEEPSEEK)
    c = b.components
    assert c["attention"].always == 158
    assert c["dense_ffn"].always == 60
    assert c["shared_expert_ffn"].always == 24
    assert (c["routed_experts"].routed_total, c["routed_experts"].routed_active) == (96, 48)
    assert c["router"].always == 20
    assert (c["embeddings"].lookup, c["lm_head"].always) == (0, 40)
    assert b.total_params == 158 + 60 + 24 + 96 + 20 + 20 + 40 == 418
    assert b.activated_params == b.activated_params_incl_embedding == 158 + 60 + 24 + 48 + 20 + 20 + 40
    assert b.hot_ffn_params == 84
    assert b.hot_all_params == 158 + 60 + 24 + 20 + 20 + 40 == 322
    # MTP: eh_proj 2*4*4 = 32, enorm/hnorm/head norm 3*4 = 12, one MoE layer
    #   79 + norms 8 + shared 24 + routed 96 + router 20 = 227 -> 271, not in total
    assert b.mtp_params == 32 + 12 + 227


def test_tiny_gpt_oss_biases_sinks_and_explicit_head_dim_by_hand():
    # head_dim 3 (not hidden/heads): q 2*3=6 wide, k/v 1*3=3 wide.
    # attention: q 4*6+6, k 4*3+3, v 4*3+3, o 6*4+4, sinks 2 -> 90
    # expert: 3*4*5 = 60 + biases gate_up 2*5 + down 4 = 74; 2 experts = 148
    # router 4*2 + bias 2 = 10; norms 2*4 + 4 = 12; embeddings/lm_head 40 each
    cfg = {"model_type": "gpt_oss", "vocab_size": 10, "hidden_size": 4,
           "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
           "head_dim": 3, "num_local_experts": 2, "experts_per_token": 1,
           "intermediate_size": 5, "tie_word_embeddings": False}
    b = breakdown(cfg)
    assert b.components["attention"].always == 90
    assert b.components["routed_experts"].routed_total == 148
    assert b.components["router"].always == 10
    assert b.total_params == 90 + 148 + 10 + 12 + 40 + 40
    assert b.activated_params == 90 + 74 + 10 + 12 + 40


def test_tiny_qwen2_moe_schedule_shared_gate_and_qkv_bias_by_hand():
    # mlp_only_layers [0]: layer 0 dense 3*4*3 = 36; layer 1 MoE:
    #   shared 3*4*2 = 24, experts 2 x 3*4*1 = 24 (active 12),
    #   router 4*2 + shared_expert_gate 4 = 12
    # attention/layer: 4 matrices 4*4 = 64 + q,k,v bias 3*4 = 76; x2 = 152
    cfg = {"model_type": "qwen2_moe", "vocab_size": 10, "hidden_size": 4,
           "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 2,
           "num_experts": 2, "num_experts_per_tok": 1, "moe_intermediate_size": 1,
           "shared_expert_intermediate_size": 2, "intermediate_size": 3,
           "decoder_sparse_step": 1, "mlp_only_layers": [0], "tie_word_embeddings": False}
    b = breakdown(cfg)
    assert b.components["dense_ffn"].always == 36
    assert b.components["router"].always == 12
    assert b.components["attention"].always == 152
    assert b.hot_ffn_params == 36 + 24
    assert b.total_params == 36 + 24 + 24 + 12 + 152 + 20 + 40 + 40 == 348


def test_deepseek_moe_layer_freq_skips_layers():
    # 4 layers, first 1 dense, then MoE only where i % 2 == 0 -> layer 2 only
    b = breakdown({**TINY_DEEPSEEK, "num_hidden_layers": 4, "moe_layer_freq": 2})
    assert b.spec.moe_layers == (False, False, True, False)
    assert b.components["dense_ffn"].always == 3 * 60


# --- real models vs published figures --------------------------------------

def test_deepseek_v3_hot_ffn_set_matches_thesis():
    b = model("deepseek-v3.json")
    shared = 3 * 7168 * 2048 * 58   # gate/up/down x 58 MoE layers
    dense = 3 * 7168 * 18432 * 3    # gate/up/down x 3 dense layers
    assert b.components["shared_expert_ffn"].always == shared
    assert b.components["dense_ffn"].always == dense
    assert within(b.components["shared_expert_ffn"].always, 2.55e9, 1)
    assert within(b.components["dense_ffn"].always, 1.19e9, 1)
    assert within(b.hot_ffn_params, 3.74e9, 1)


def test_deepseek_v3_totals_match_published():
    b = model("deepseek-v3.json")
    assert within(b.total_params, 671e9, 1)
    assert within(b.activated_params, 37e9, 3)
    # README_WEIGHTS.md: 36.7B activated in the main model
    assert within(b.activated_params, 36.7e9, 0.5)


def test_deepseek_v3_mtp_module_is_the_685b_checkpoint_difference():
    # README_WEIGHTS.md: MTP has 11.5B unique parameters; the checkpoint stores
    # its own copies of the 0.9B embedding and 0.9B head, giving ~685B in all.
    b = model("deepseek-v3.json")
    assert within(b.mtp_params, 11.5e9, 1.5)
    table = 129280 * 7168
    assert within(b.total_params + b.mtp_params + 2 * table, 685e9, 1)




def test_activated_convention_matters_per_vendor():
    # The other convention misses by more than 5%, so the choice is real:
    # Qwen counts the embedding table in 3.3B, OpenAI leaves it out of 5.1B,
    # and so does DeepSeek (V2-Lite's 2.4B below).
    assert model("qwen3-30b-a3b.json").activated_params < 3.3e9 * 0.95
    assert model("gpt-oss-120b.json").activated_params_incl_embedding > 5.1e9 * 1.05


def test_deepseek_v2_lite_activated_excludes_embedding():
    # DeepSeek-V2-Lite (15.7B total, 2.4B activated): q_lora_rank null, so a
    # plain q_proj. Its embedding table (0.21B) is 9% of the activated count,
    # which makes it the clearest test of DeepSeek's convention.
    cfg = {"model_type": "deepseek_v2", "vocab_size": 102400, "hidden_size": 2048,
           "intermediate_size": 10944, "moe_intermediate_size": 1408,
           "num_hidden_layers": 27, "num_attention_heads": 16, "num_key_value_heads": 16,
           "n_shared_experts": 2, "n_routed_experts": 64, "num_experts_per_tok": 6,
           "first_k_dense_replace": 1, "moe_layer_freq": 1, "q_lora_rank": None,
           "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
           "v_head_dim": 128, "tie_word_embeddings": False}
    b = breakdown(cfg)
    assert within(b.total_params, 15.7e9, 1)
    assert within(b.activated_params, 2.4e9, 3)
    assert b.activated_params_incl_embedding > 2.4e9 * 1.08


def test_render_lists_components_and_published_comparison():
    text = render(model("deepseek-v3.json"))
    for name in ("dense_ffn", "shared_expert_ffn", "routed_experts", "attention",
                 "router", "norms", "embeddings", "lm_head"):
        assert name in text
    assert "vs published: total 671B" in text
    assert "vs published" not in render(breakdown(TINY_MIXTRAL))


# --- errors --------------------------------------------------------------------

def write(tmp_path, cfg) -> str:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    return str(path)


def test_missing_field_names_the_field(tmp_path):
    cfg = {k: v for k, v in TINY_MIXTRAL.items() if k != "hidden_size"}
    with pytest.raises(ValueError, match="missing field 'hidden_size'"):
        load_config(write(tmp_path, cfg))


def test_missing_top_k_names_both_spellings():
    cfg = {k: v for k, v in TINY_MIXTRAL.items() if k != "num_experts_per_tok"}
    with pytest.raises(ValueError, match="'num_experts_per_tok' or 'experts_per_token'"):
        breakdown(cfg)


def test_dense_width_required_only_when_a_layer_is_dense():
    cfg = {k: v for k, v in TINY_DEEPSEEK.items() if k != "intermediate_size"}
    with pytest.raises(ValueError, match="'intermediate_size'"):
        breakdown(cfg)
    breakdown({**cfg, "first_k_dense_replace": 0})  # all MoE: no dense width needed


def test_wrong_type_is_rejected():
    with pytest.raises(ValueError, match="field 'hidden_size' must be an integer >= 1, got '4'"):
        breakdown({**TINY_MIXTRAL, "hidden_size": "4"})


# --- command line ----------------------------------------------------------------

def run_cli(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "thesis.hotset", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


def test_cli_prints_deepseek_hot_set():
    result = run_cli("theses/models/deepseek-v3.json")
    assert result.returncode == 0, result.stderr
    assert "3.74B" in result.stdout
    assert result.stderr == ""


def test_cli_json_has_every_number():
    result = run_cli("theses/models/deepseek-v3.json", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["hot_ffn_params"] == 3 * 7168 * 2048 * 58 + 3 * 7168 * 18432 * 3
    assert data["gigabytes"]["bf16"]["hot_ffn_params"] == pytest.approx(
        2 * data["hot_ffn_params"] / 1e9)
    assert data == to_dict(model("deepseek-v3.json"))


def test_cli_missing_field_is_one_line_exit_1(tmp_path):
    cfg = {k: v for k, v in TINY_MIXTRAL.items() if k != "hidden_size"}
    path = write(tmp_path, cfg)
    result = run_cli(path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {path}: missing field 'hidden_size' or 'd_model' (needed for model_type "
        "'mixtral'). "
        "Copy it from the model's config.json.\n")


def test_cli_missing_file_exit_1(tmp_path):
    path = str(tmp_path / "nope.json")
    result = run_cli(path)
    assert result.returncode == 1
    assert result.stderr == (f"Error: config file not found: {path}. "
                             "Check the path, e.g. theses/models/deepseek-v3.json.\n")


def test_cli_bad_json_exit_1(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{\"model_type\": ")
    result = run_cli(str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {path} is not valid JSON (line 1")
    assert result.stderr.count("\n") == 1


def test_cli_bad_usage_exit_2():
    result = run_cli()
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
