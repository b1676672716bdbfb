"""Hot-weight calculator for MoE models: which weights every token reads.

Reads a Hugging Face config.json and splits the parameter count into weights
read by every token (dense FFNs, shared experts, attention, norms, router,
lm_head), routed experts (resident, but only top-k read per token) and the
input embedding table (resident, one row read per token).

How a config is read
- The layout comes from the fields present, never from the model_type label:
  the expert count from n_routed_experts / num_experts / num_local_experts /
  moe_num_experts / ffn_config.moe_num_experts; which layers are MoE from
  first_k_dense_replace + moe_layer_freq, decoder_sparse_step +
  mlp_only_layers, interleave_moe_layer_step or moe_layers (else every layer);
  the shared expert from n_shared_experts, shared_expert_intermediate_size
  (gated) or the Llama 4 layout; MLA from kv_lora_rank; biases from
  attention_bias / lm_head_bias; q/k norms from use_qk_norm + qk_norm_type; a
  router correction bias from topk_method "noaux_tc" or use_routing_bias.
  Llama 4's text_config and DBRX's ffn_config / attn_config are looked into.
- A few weights no field names (gpt-oss's sinks, Qwen2-MoE's q/k/v biases,
  Grok-1's sandwich norms, ...) come from the small EXTRAS table keyed by
  model_type. An unknown model_type is counted from its fields alone, so
  Kimi-K2 ("kimi_k2") is counted exactly as DeepSeek-V3.

What is counted
- ``total_params`` is the main model: every decoder layer, embeddings, final
  norm and lm_head. DeepSeek's multi-token-prediction (MTP) module is NOT in
  it, matching DeepSeek's "671B" (the 685B checkpoint adds the MTP module);
  it is reported on its own as ``mtp_params``. Vision encoders are not counted.
- ``activated_params`` is what one token reads: everything always-read plus
  its top-k routed experts. The input embedding table is left out because a
  lookup reads one row, not the table; lm_head is read in full, so it stays.
  Vendors differ: DeepSeek's and OpenAI's figures follow this convention;
  Qwen, Mistral, Meta, Moonshot and Ai2 count the embedding table too; Z.ai
  (GLM) and MiniMax leave out lm_head as well. ``activated_params_vendor``
  counts the way the model's _published block says its vendor does.
- ``hot_ffn_params`` is dense FFN + shared-expert FFN (the thesis's hot set);
  ``hot_all_params`` is everything always-read, lm_head included. A model with
  neither dense layers nor a shared expert has no always-on FFN at all.

Besides the config fields, an optional "_name" labels the table and an
optional "_published" block is compared against: "total_params",
"activated_params" (null when the vendor gives no count; then
"activated_share_pct" may hold the share it states), and the vendor's
convention: "activated_counts_input_embedding" (default false) and
"activated_counts_lm_head" (default true).

Usage: python -m thesis.hotset theses/models/deepseek-v3.json [--json]
"""

import argparse
import json
import sys
from dataclasses import asdict, dataclass

BYTES_PER_PARAM = {"fp8": 1.0, "bf16": 2.0, "fp4": 0.5}
COMPONENTS = (
    "dense_ffn", "shared_expert_ffn", "routed_experts", "attention",
    "router", "norms", "embeddings", "lm_head",
)
_MISSING = object()
NO_ALWAYS_ON_FFN = "no always-on FFN: every FFN weight is routed"


@dataclass(frozen=True)
class Extras:
    """Weights a family has that no config.json field names, keyed by model_type.

    Everything else is read from the fields, so a config under an unknown
    model_type (Kimi-K2 is DeepSeek-V3 under another name) is counted from its
    fields alone; only these few hard-coded weights need the label.
    """

    qkv_bias: bool = False          # q/k/v biases the code always has (Qwen2-MoE)
    o_bias: bool = False            # o_proj bias the code always has (gpt-oss)
    o_bias_off: bool = False        # attention_bias covers q/k/v but never o_proj (GLM-4.5)
    qk_norm: str | None = None      # overrides use_qk_norm: "per_head", "full" or "weightless"
    attn_sinks: bool = False        # one learned logit per head (gpt-oss)
    router_bias: bool = False       # router bias with no field saying so (gpt-oss, GLM-4.5)
    expert_bias: bool = False       # biases on every expert projection (gpt-oss)
    norm_bias: bool = False         # LayerNorm with a bias, not RMSNorm (Phi-3.5-MoE)
    norms_per_layer: int = 2        # Grok-1 wraps attention and MoE in sandwich norms: 4


_LLAMA4 = Extras(qk_norm="weightless")  # Llama 4's q/k norm is a parameter-free L2 norm
EXTRAS = {
    "gpt_oss": Extras(qkv_bias=True, o_bias=True, attn_sinks=True,
                      router_bias=True, expert_bias=True),
    "qwen2_moe": Extras(qkv_bias=True),
    "qwen3_moe": Extras(qk_norm="per_head"),
    "olmoe": Extras(qk_norm="full"),          # q_norm/k_norm over all heads at once
    "glm4_moe": Extras(o_bias_off=True, router_bias=True),
    "llama4": _LLAMA4,
    "llama4_text": _LLAMA4,
    "phimoe": Extras(norm_bias=True),
    "grok-1": Extras(norms_per_layer=4),
}


@dataclass(frozen=True)
class Mla:
    """DeepSeek multi-head latent attention ranks; q_lora_rank 0 = no q compression."""

    q_lora_rank: int
    kv_lora_rank: int
    nope: int
    rope: int
    v: int


@dataclass(frozen=True)
class Spec:
    """A config.json reduced to the numbers that decide parameter counts."""

    model_type: str
    vocab: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    mla: Mla | None
    experts: int
    top_k: int
    expert_ffn: int
    shared_ffn: int          # width of the shared-expert FFN per MoE layer
    dense_ffn: int           # width of the FFN on non-MoE layers
    moe_layers: tuple[bool, ...]
    tied: bool
    mtp_layers: int
    qkv_bias: bool = False
    o_bias: bool = False
    qk_norm: str = "none"    # "none", "per_head" (head_dim each), "full" (all heads), "weightless"
    attn_sinks: bool = False
    router_bias: bool = False
    expert_bias: bool = False
    shared_gate: bool = False  # sigmoid gate (hidden -> 1) on the shared expert
    norm_bias: bool = False
    norms_per_layer: int = 2
    lm_head_bias: bool = False
    layout: tuple[str, ...] = ()  # which fields decided the layout, for the header


@dataclass(frozen=True)
class Component:
    """Parameters of one component, by how often a token reads them."""

    always: int = 0          # read by every token
    routed_total: int = 0    # resident in memory
    routed_active: int = 0   # read per token (its top-k share)
    lookup: int = 0          # resident table, one row read per token

    @property
    def resident(self) -> int:
        return self.always + self.routed_total + self.lookup


@dataclass(frozen=True)
class Breakdown:
    """Per-component counts for one model plus the totals derived from them."""

    name: str
    spec: Spec
    components: dict[str, Component]
    mtp_params: int
    published: dict | None

    def _sum(self, field: str) -> int:
        return sum(getattr(c, field) for c in self.components.values())

    @property
    def total_params(self) -> int:
        return sum(c.resident for c in self.components.values())

    @property
    def activated_params(self) -> int:
        return self._sum("always") + self._sum("routed_active")

    @property
    def activated_params_incl_embedding(self) -> int:
        return self.activated_params + self._sum("lookup")

    @property
    def activated_params_vendor(self) -> int:
        """Activated the way the vendor's published figure counts it (see _published):
        the embedding table in or out, lm_head in (default) or out."""
        p = self.published or {}
        n = self.activated_params
        if p.get("activated_counts_input_embedding"):
            n += self._sum("lookup")
        if p.get("activated_counts_lm_head") is False:
            n -= self.components["lm_head"].always
        return n

    @property
    def hot_ffn_params(self) -> int:
        return (self.components["dense_ffn"].always
                + self.components["shared_expert_ffn"].always)

    @property
    def hot_all_params(self) -> int:
        return self._sum("always")


def gigabytes(params: int, fmt: str) -> float:
    """Decimal GB (1e9 bytes) of raw weights; quantisation scales are ignored."""
    return params * BYTES_PER_PARAM[fmt] / 1e9


# --- reading the config -----------------------------------------------------
#
# Each quantity has the field names the families use for it, tried in order;
# a dotted name looks inside a nested block (DBRX's ffn_config/attn_config).

EXPERTS = ("n_routed_experts", "num_experts", "num_local_experts", "moe_num_experts",
           "ffn_config.moe_num_experts")
TOP_K = ("num_experts_per_tok", "experts_per_token", "moe_top_k", "ffn_config.moe_top_k")
LAYERS = ("num_hidden_layers", "n_layers")
HIDDEN = ("hidden_size", "d_model")
HEADS = ("num_attention_heads", "n_heads")
KV_HEADS = ("num_key_value_heads", "attn_config.kv_n_heads")
# Expert width: the MoE-specific field first; where there is none (Mixtral,
# gpt-oss, Llama 4, Grok, OLMoE, MiniMax, Phi) intermediate_size is per expert.
EXPERT_FFN = ("moe_intermediate_size", "ffn_config.ffn_hidden_size", "intermediate_size")
# Dense FFN width: Llama 4 gives its dense layers their own width.
DENSE_FFN = ("intermediate_size_mlp", "intermediate_size")


def _value(cfg: dict, name: str):
    """cfg[name], following dots into nested blocks; None when absent."""
    node = cfg
    for part in name.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _has(cfg: dict, *names: str) -> bool:
    return any(_value(cfg, n) is not None for n in names)


def _int(cfg: dict, *names: str, default=_MISSING, minimum: int = 1) -> int:
    """First of `names` present (JSON null counts as absent), checked to be an int."""
    for name in names:
        value = _value(cfg, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(
                f"field '{name}' must be an integer >= {minimum}, got {value!r}. "
                "Fix the value in the config file")
        return value
    if default is not _MISSING:
        return default
    alternatives = " or ".join(f"'{n}'" for n in names)
    needed = (f"needed for model_type '{cfg['model_type']}'" if cfg.get("model_type")
              else "needed to count the parameters")
    raise ValueError(f"missing field {alternatives} ({needed}). "
                     "Copy it from the model's config.json")


def _flag(cfg: dict, name: str) -> bool:
    value = _value(cfg, name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"field '{name}' must be true or false, got {value!r}. "
                         "Fix the value in the config file")
    return value


def _int_list(cfg: dict, name: str, layers: int, lo: int, hi: int) -> list[int]:
    value = _value(cfg, name)
    if (not isinstance(value, list)
            or any(isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi
                   for v in value)):
        raise ValueError(f"field '{name}' must be a list of integers {lo}..{hi}, got {value!r}. "
                         "Fix the value in the config file")
    return value


def _language_model(cfg: dict) -> dict:
    """The fields of the language model: Llama 4 (and other multimodal wrappers)
    nest them under text_config; the wrapper's own fields stay visible."""
    inner = cfg.get("text_config")
    if inner is None:
        return cfg
    if not isinstance(inner, dict):
        raise ValueError(f"field 'text_config' must be an object, got {inner!r}. "
                         "Fix the value in the config file")
    return {**cfg, **inner}


def _schedule(cfg: dict, layers: int) -> tuple[tuple[bool, ...], str]:
    """Which layers are MoE, from whichever schedule fields the config has."""
    if _has(cfg, "moe_layers"):                                    # Llama 4, explicit
        listed = set(_int_list(cfg, "moe_layers", layers, 0, layers - 1))
        return tuple(i in listed for i in range(layers)), "moe_layers"
    if _has(cfg, "interleave_moe_layer_step"):                     # Llama 4
        step = _int(cfg, "interleave_moe_layer_step")
        return (tuple((i + 1) % step == 0 for i in range(layers)),
                f"interleave_moe_layer_step={step}")
    if _has(cfg, "first_k_dense_replace", "moe_layer_freq"):      # DeepSeek, Kimi, GLM
        first = _int(cfg, "first_k_dense_replace", default=0, minimum=0)
        if isinstance(_value(cfg, "moe_layer_freq"), list):        # per-layer 0/1 flags
            flags = _int_list(cfg, "moe_layer_freq", layers, 0, 1)
            if len(flags) != layers:
                raise ValueError(f"field 'moe_layer_freq' lists {len(flags)} layers, "
                                 f"num_hidden_layers is {layers}. Fix the config file")
            return tuple(i >= first and bool(f) for i, f in enumerate(flags)), \
                f"first_k_dense_replace={first}, moe_layer_freq list"
        freq = _int(cfg, "moe_layer_freq", default=1)
        return (tuple(i >= first and i % freq == 0 for i in range(layers)),
                f"first_k_dense_replace={first}, moe_layer_freq={freq}")
    if _has(cfg, "decoder_sparse_step", "mlp_only_layers"):       # Qwen2/3-MoE
        step = _int(cfg, "decoder_sparse_step", default=1)
        dense_only = set(_int_list(cfg, "mlp_only_layers", layers, 0, layers - 1)
                         if _has(cfg, "mlp_only_layers") else [])
        return (tuple(i not in dense_only and (i + 1) % step == 0 for i in range(layers)),
                f"decoder_sparse_step={step}, mlp_only_layers={sorted(dense_only)}")
    return (True,) * layers, "every layer MoE (no schedule field)"


def _shared(cfg: dict, expert_ffn: int) -> tuple[int, bool, str]:
    """Shared-expert width per MoE layer, whether it is gated, and the field that said so."""
    if _has(cfg, "n_shared_experts"):                              # DeepSeek, Kimi, GLM
        n = _int(cfg, "n_shared_experts", minimum=0)
        # n shared experts run as one FFN n times as wide
        return n * expert_ffn, False, f"n_shared_experts={n}"
    for name in ("shared_expert_intermediate_size", "shared_intermediate_size"):
        if _has(cfg, name):                      # Qwen2-MoE / MiniMax: a gated shared FFN
            width = _int(cfg, name, minimum=0)
            return width, width > 0, f"{name}={width}"
    if _has(cfg, "interleave_moe_layer_step", "intermediate_size_mlp"):
        # Llama 4: every MoE layer has one shared expert as wide as a routed one
        return expert_ffn, False, "Llama 4 layout: one shared expert"
    return 0, False, "no shared expert"


def _mla(cfg: dict) -> Mla | None:
    if cfg.get("kv_lora_rank") is None:
        return None
    return Mla(q_lora_rank=_int(cfg, "q_lora_rank", default=0, minimum=0),
               kv_lora_rank=_int(cfg, "kv_lora_rank"),
               nope=_int(cfg, "qk_nope_head_dim"),
               rope=_int(cfg, "qk_rope_head_dim"),
               v=_int(cfg, "v_head_dim"))


def _qk_norm(cfg: dict, extras: Extras) -> str:
    if extras.qk_norm:
        return extras.qk_norm
    if not _flag(cfg, "use_qk_norm"):
        return "none"
    # MiniMax normalises q and k over all heads at once, GLM-4.5 per head
    return "full" if cfg.get("qk_norm_type") == "per_layer" else "per_head"


def _check_attention_kinds(cfg: dict, layers: int) -> None:
    """Refuse layer kinds this calculator has no arithmetic for, rather than miscount them."""
    if _has(cfg, "attn_type_list"):
        kinds = _int_list(cfg, "attn_type_list", layers, 0, 1)
        if 0 in kinds:
            raise ValueError("field 'attn_type_list' marks lightning (linear) attention layers "
                             "(0), which this calculator does not count. Use a config whose "
                             "layers are all softmax attention (1)")


def _spec(cfg: dict) -> Spec:
    """Validate `cfg` and reduce it to a Spec; ValueError names a bad field."""
    cfg = _language_model(cfg)
    model_type = cfg.get("model_type")
    if model_type is not None and not isinstance(model_type, str):
        raise ValueError(f"field 'model_type' must be a string, got {model_type!r}. "
                         "Fix the value in the config file")
    extras = EXTRAS.get(model_type, Extras())
    layers = _int(cfg, *LAYERS)
    hidden = _int(cfg, *HIDDEN)
    heads = _int(cfg, *HEADS)
    _check_attention_kinds(cfg, layers)
    moe_layers, schedule = _schedule(cfg, layers)
    expert_ffn = _int(cfg, *EXPERT_FFN)
    shared_ffn, shared_gate, shared = _shared(cfg, expert_ffn)
    mla = _mla(cfg)
    attention_bias = _flag(cfg, "attention_bias")
    layout = [schedule, shared, "MLA attention" if mla else "GQA attention"]
    if model_type not in EXTRAS:
        layout.append(f"model_type {model_type!r}: counted from its fields alone")
    # Only a model with some non-MoE layer needs a dense FFN width.
    needs_dense = not all(moe_layers)
    return Spec(
        model_type=model_type or "unknown",
        vocab=_int(cfg, "vocab_size"), hidden=hidden, heads=heads,
        # Hugging Face semantics: no kv-head count means plain MHA and
        # no head_dim means hidden/heads.
        kv_heads=_int(cfg, *KV_HEADS, default=heads),
        head_dim=_int(cfg, "head_dim", default=hidden // heads),
        mla=mla, experts=_int(cfg, *EXPERTS), top_k=_int(cfg, *TOP_K),
        expert_ffn=expert_ffn, shared_ffn=shared_ffn,
        dense_ffn=_int(cfg, *DENSE_FFN) if needs_dense else 0,
        moe_layers=moe_layers, tied=_flag(cfg, "tie_word_embeddings"),
        mtp_layers=_int(cfg, "num_nextn_predict_layers", default=0, minimum=0),
        qkv_bias=attention_bias or extras.qkv_bias,
        o_bias=(attention_bias and not extras.o_bias_off) or extras.o_bias,
        qk_norm=_qk_norm(cfg, extras), attn_sinks=extras.attn_sinks,
        # DeepSeek-V3's aux-loss-free balancing (noaux_tc) and MiniMax's routing
        # bias add one correction bias per expert to the router.
        router_bias=(cfg.get("topk_method") == "noaux_tc" or _flag(cfg, "use_routing_bias")
                     or extras.router_bias),
        expert_bias=extras.expert_bias, shared_gate=shared_gate,
        norm_bias=extras.norm_bias, norms_per_layer=extras.norms_per_layer,
        lm_head_bias=_flag(cfg, "lm_head_bias"), layout=tuple(layout))


def _published(cfg: dict) -> dict | None:
    block = cfg.get("_published")
    if block is None:
        return None
    if not isinstance(block, dict):
        raise ValueError(f"field '_published' must be an object, got {block!r}. "
                         "Fix it or remove the _published block")
    # A vendor that gives no activated count (xAI: "25% of the weights") sets
    # activated_params to null and may state the share as activated_share_pct.
    optional = block.get("activated_params") is None
    for key in ("total_params", "activated_params", "activated_share_pct"):
        value = block.get(key)
        if value is None and (key == "activated_share_pct" or (key == "activated_params"
                                                                and optional)):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"field '_published.{key}' must be a positive number, got {value!r}. "
                             "Fix it or remove the _published block")
    for key in ("activated_counts_input_embedding", "activated_counts_lm_head"):
        if key in block and not isinstance(block[key], bool):
            raise ValueError(f"field '_published.{key}' must be true or false, "
                             f"got {block[key]!r}. Fix it in the _published block")
    return block


def load_config(path: str) -> dict:
    """Read and validate a Hugging Face-style config.json.

    Raises OSError if the file cannot be read, json.JSONDecodeError for bad
    JSON and ValueError naming the field that is missing or wrong.
    """
    with open(path, encoding="utf-8") as fh:
        cfg = json.load(fh)
    if not isinstance(cfg, dict):
        raise ValueError("the file holds JSON but not an object. "
                         "Point at a model's config.json")
    _spec(cfg)
    _published(cfg)
    return cfg


# --- counting ---------------------------------------------------------------

def _ffn(hidden: int, width: int, bias: bool = False) -> int:
    """Gated FFN: gate, up and down projections (plus gpt-oss style biases)."""
    return 3 * hidden * width + (2 * width + hidden if bias else 0)


def _mla_attention(s: Spec) -> int:
    m, h, n = s.mla, s.hidden, s.heads
    if m.q_lora_rank:  # q_a_proj, q_a_layernorm, q_b_proj
        q = h * m.q_lora_rank + m.q_lora_rank + m.q_lora_rank * n * (m.nope + m.rope)
    else:              # V2-Lite style: a single q_proj
        q = h * n * (m.nope + m.rope)
    kv = (h * (m.kv_lora_rank + m.rope)                  # kv_a_proj_with_mqa
          + m.kv_lora_rank                               # kv_a_layernorm
          + m.kv_lora_rank * n * (m.nope + m.v))         # kv_b_proj
    return q + kv + n * m.v * h                          # o_proj


QK_NORM = {  # q_norm + k_norm weights per layer
    "none": lambda s: 0,
    "weightless": lambda s: 0,
    "per_head": lambda s: 2 * s.head_dim,                       # one head_dim norm each
    "full": lambda s: (s.heads + s.kv_heads) * s.head_dim,      # over every head at once
}


def _gqa_attention(s: Spec) -> int:
    q, kv = s.heads * s.head_dim, s.kv_heads * s.head_dim
    n = 2 * s.hidden * q + 2 * s.hidden * kv  # q_proj + o_proj, k_proj + v_proj
    n += (q + 2 * kv) if s.qkv_bias else 0
    n += s.hidden if s.o_bias else 0
    n += QK_NORM[s.qk_norm](s)
    n += s.heads if s.attn_sinks else 0
    return n


def _attention(s: Spec) -> int:
    return _mla_attention(s) if s.mla else _gqa_attention(s)


def _router(s: Spec) -> int:
    return (s.hidden * s.experts + (s.experts if s.router_bias else 0)
            + (s.hidden if s.shared_gate else 0))


def _expert(s: Spec) -> int:
    return _ffn(s.hidden, s.expert_ffn, bias=s.expert_bias)


def _norm(s: Spec) -> int:
    """One norm over the hidden state: a weight, plus a bias for LayerNorm."""
    return s.hidden * (2 if s.norm_bias else 1)


def _mtp(s: Spec) -> int:
    """DeepSeek MTP module: eh_proj, enorm/hnorm/head norm and one MoE layer.

    Its embedding and head are shared with the main model, so not counted.
    """
    layer = (_attention(s) + 2 * s.hidden + _ffn(s.hidden, s.shared_ffn)
             + s.experts * _expert(s) + _router(s))
    return s.mtp_layers * (2 * s.hidden * s.hidden + 3 * s.hidden + layer)


def breakdown(cfg: dict) -> Breakdown:
    """Count parameters per component for a config dict (see module docstring)."""
    s = _spec(cfg)
    moe = sum(s.moe_layers)
    dense = len(s.moe_layers) - moe
    table = s.vocab * s.hidden
    components = {
        "dense_ffn": Component(always=dense * _ffn(s.hidden, s.dense_ffn)),
        "shared_expert_ffn": Component(always=moe * _ffn(s.hidden, s.shared_ffn)),
        "routed_experts": Component(routed_total=moe * s.experts * _expert(s),
                                    routed_active=moe * s.top_k * _expert(s)),
        "attention": Component(always=len(s.moe_layers) * _attention(s)),
        "router": Component(always=moe * _router(s)),
        # input + post-attention norm per layer (Grok-1: 4), plus the final norm
        "norms": Component(always=(s.norms_per_layer * len(s.moe_layers) + 1) * _norm(s)),
        # A tied table is read in full as lm_head every token, so it is
        # counted once, there, and not as a lookup.
        "embeddings": Component(lookup=0 if s.tied else table),
        "lm_head": Component(always=table + (s.vocab if s.lm_head_bias else 0)),
    }
    return Breakdown(name=str(cfg.get("_name") or s.model_type), spec=s,
                     components=components, mtp_params=_mtp(s),
                     published=_published(cfg))


# --- output -----------------------------------------------------------------

def human(n: float) -> str:
    """3743416320 -> '3.74B', 881664 -> '881.66K'."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= size:
            return f"{n / size:.2f}{suffix}"
    return str(int(n))


def _cell(text: str, n: float) -> str:
    """Table cell: '-' for zero so empty cells stand out from small numbers."""
    return "-" if n == 0 else text


def _deviation(ours: int, published: float) -> float:
    return (ours - published) / published * 100


def _header(b: Breakdown) -> str:
    s = b.spec
    moe = sum(s.moe_layers)
    shared = f" + shared FFN {s.shared_ffn}" if s.shared_ffn else ", no shared expert"
    return (f"{b.name} ({s.model_type}): {len(s.moe_layers)} layers, {moe} MoE, "
            f"{s.experts} routed experts top-{s.top_k}{shared}\n"
            f"layout from fields: {'; '.join(s.layout)}")


def _table(b: Breakdown) -> list[str]:
    row = "{:<18} {:>11} {:>13} {:>13} {:>11} {:>9} {:>9} {:>9}"
    lines = [row.format("component", "always-read", "routed total", "routed/token",
                        "lookup", "GB FP8", "GB BF16", "GB FP4")]
    for name in COMPONENTS:
        c = b.components[name]
        counts = (c.always, c.routed_total, c.routed_active, c.lookup)
        sizes = (_cell(f"{gigabytes(c.always, f):.2f}", c.always) for f in BYTES_PER_PARAM)
        lines.append(row.format(name, *(_cell(human(n), n) for n in counts), *sizes))
    return lines


def _totals(b: Breakdown) -> list[str]:
    row = "{:<44} {:>9}  {:>9.2f} GB FP8"
    lines = [
        row.format("total params (resident)", human(b.total_params),
                   gigabytes(b.total_params, "fp8")),
        row.format("activated per token (excl. embedding table)", human(b.activated_params),
                   gigabytes(b.activated_params, "fp8")),
        row.format("activated per token (incl. embedding table)",
                   human(b.activated_params_incl_embedding),
                   gigabytes(b.activated_params_incl_embedding, "fp8")),
        row.format("hot set, FFN only (dense + shared)", human(b.hot_ffn_params),
                   gigabytes(b.hot_ffn_params, "fp8")) if b.hot_ffn_params else
        f"{'hot set, FFN only (dense + shared)':<44} none: {NO_ALWAYS_ON_FFN}",
        row.format("hot set incl. attention, norms, router, head", human(b.hot_all_params),
                   gigabytes(b.hot_all_params, "fp8")),
    ]
    if b.mtp_params:
        lines.append(f"not counted above: MTP module {human(b.mtp_params)} "
                     f"({b.spec.mtp_layers} layer(s); shares embedding and lm_head)")
    return lines


def _convention(p: dict) -> str:
    """'embedding table out, lm_head in': what the vendor's activated figure counts."""
    table = "in" if p.get("activated_counts_input_embedding") else "out"
    head = "out" if p.get("activated_counts_lm_head") is False else "in"
    return f"embedding table {table}, lm_head {head}"


def _published_line(b: Breakdown) -> str:
    p = b.published
    total = (f"vs published: total {p['total_params'] / 1e9:g}B "
             f"({_deviation(b.total_params, p['total_params']):+.2f}%); ")
    if p.get("activated_params") is None:
        share = b.activated_params_vendor / b.total_params * 100
        stated = (f"the vendor states only ~{p['activated_share_pct']:g}% of weights"
                  if p.get("activated_share_pct") else "the vendor publishes none")
        return total + (f"no published activated count ({stated}); "
                        f"ours {human(b.activated_params_vendor)} = {share:.1f}% of the total")
    return total + (f"activated {p['activated_params'] / 1e9:g}B vs "
                    f"{human(b.activated_params_vendor)} "
                    f"({_deviation(b.activated_params_vendor, p['activated_params']):+.2f}%) "
                    f"counted as the vendor does: {_convention(p)}")


def render(b: Breakdown) -> str:
    """Fixed-width table of the breakdown, totals and the published comparison."""
    lines = [_header(b), "", *_table(b), "", *_totals(b)]
    if b.published:
        lines.append(_published_line(b))
    return "\n".join(lines)


def _vs(ours: int, published: float | None) -> str:
    if published is None:
        return f"{human(ours)} (none published)"
    return f"{human(ours)} vs {published / 1e9:g}B ({_deviation(ours, published):+.1f}%)"


def summary_table(breakdowns: list[Breakdown]) -> str:
    """Markdown table, one row per model: totals against the published figures
    (activated counted the vendor's way) and the hot sets at FP8."""
    lines = ["| model | total | activated (vendor's convention) | convention "
             "| FFN hot set, FP8 | all always-read, FP8 |",
             "|---|---|---|---|---|---|"]
    for b in breakdowns:
        p = b.published or {}
        ffn = (f"{gigabytes(b.hot_ffn_params, 'fp8'):.2f} GB" if b.hot_ffn_params
               else "none (all FFN routed)")
        lines.append(
            f"| {b.name} | {_vs(b.total_params, p.get('total_params'))} "
            f"| {_vs(b.activated_params_vendor, p.get('activated_params'))} "
            f"| {_convention(p) if p else '-'} | {ffn} "
            f"| {gigabytes(b.hot_all_params, 'fp8'):.2f} GB |")
    return "\n".join(lines)


def to_dict(b: Breakdown) -> dict:
    """Every number in the breakdown, for --json."""
    totals = {
        "total_params": b.total_params,
        "activated_params": b.activated_params,
        "activated_params_incl_embedding": b.activated_params_incl_embedding,
        "hot_ffn_params": b.hot_ffn_params,
        "hot_all_params": b.hot_all_params,
    }
    out = {
        "name": b.name,
        "model_type": b.spec.model_type,
        "layout": list(b.spec.layout),
        "always_on_ffn": b.hot_ffn_params > 0,
        "components": {k: asdict(v) for k, v in b.components.items()},
        **totals,
        "mtp_params_not_counted": b.mtp_params,
        "gigabytes": {f: {k: gigabytes(v, f) for k, v in totals.items()}
                      for f in BYTES_PER_PARAM},
    }
    if b.published:
        p = b.published
        out["published"] = {
            **p,
            "total_deviation_pct": _deviation(b.total_params, p["total_params"]),
            "activated_vendor_convention": _convention(p),
            "activated_params_vendor_convention": b.activated_params_vendor,
            "activated_deviation_pct": (
                _deviation(b.activated_params_vendor, p["activated_params"])
                if p.get("activated_params") is not None else None),
        }
    return out


# --- command line -------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse, but bad usage prints the house one-line error (exit 2)."""

    def error(self, message: str):
        self.exit(2, f"Error: {message}. Run 'python -m thesis.hotset --help' for usage.\n")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(prog="python -m thesis.hotset",
                     description="Hot-weight breakdown of an MoE model config.json.")
    parser.add_argument("config", nargs="+",
                        help="Hugging Face config.json, e.g. theses/models/deepseek-v3.json "
                             "(several with --table)")
    parser.add_argument("--json", action="store_true", help="print every number as JSON")
    parser.add_argument("--table", action="store_true",
                        help="one Markdown row per config: totals vs published, hot sets")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser.parse_args(argv)


def _error_message(path: str, exc: Exception) -> str:
    """The house one-line `Error: <what>. <what to do>.` for a failed load."""
    if isinstance(exc, FileNotFoundError):
        return (f"Error: config file not found: {path}. "
                "Check the path, e.g. theses/models/deepseek-v3.json.")
    if isinstance(exc, json.JSONDecodeError):  # before ValueError: it is one
        return (f"Error: {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}). Fix the file or fetch the config again.")
    if isinstance(exc, OSError):
        return f"Error: cannot read {path} ({exc.strerror}). Check the path and permissions."
    return f"Error: {path}: {exc}."


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if len(args.config) > 1 and not args.table:
        print("Error: several config files given without --table. "
              "Pass one file, or add --table.", file=sys.stderr)
        return 2
    breakdowns = []
    for path in args.config:
        try:
            breakdowns.append(breakdown(load_config(path)))
        except (OSError, ValueError) as exc:
            if args.debug:
                raise
            print(_error_message(path, exc), file=sys.stderr)
            return 1
    if args.table:
        print(summary_table(breakdowns))
    else:
        b = breakdowns[0]
        print(json.dumps(to_dict(b), indent=2) if args.json else render(b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
