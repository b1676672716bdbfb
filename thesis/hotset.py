"""Hot-weight calculator for MoE models: which weights every token reads.

Reads a Hugging Face config.json and splits the parameter count into weights
read by every token (dense FFNs, shared experts, attention, norms, router,
lm_head), routed experts (resident, but only top-k read per token) and the
input embedding table (resident, one row read per token).

What is counted
- ``total_params`` is the main model: every decoder layer, embeddings, final
  norm and lm_head. DeepSeek's multi-token-prediction (MTP) module is NOT in
  it, matching DeepSeek's "671B" (the 685B checkpoint adds the MTP module);
  it is reported on its own as ``mtp_params``.
- ``activated_params`` is what one token reads: everything always-read plus
  its top-k routed experts. The input embedding table is left out because a
  lookup reads one row, not the table; lm_head is read in full, so it stays.
  Vendors differ: DeepSeek's (V3 36.7B, V2-Lite 2.4B) and OpenAI's gpt-oss
  figures follow this convention, Qwen's and Mistral's count the embedding
  table too, so both are reported (``activated_params_incl_embedding``).
- ``hot_ffn_params`` is dense FFN + shared-expert FFN (the thesis's hot set);
  ``hot_all_params`` is everything always-read, lm_head included.

Besides the config fields, an optional "_name" labels the table and an
optional "_published": {"total_params", "activated_params",
"activated_counts_input_embedding"} block is compared against.

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


@dataclass(frozen=True)
class Family:
    """Weights a family has that its config.json does not spell out."""

    qkv_bias: bool = False
    o_bias: bool = False
    qk_norm: bool = False      # per-head RMSNorm on q and k (Qwen3)
    attn_sinks: bool = False   # one learned logit per head (gpt-oss)
    router_bias: bool = False
    expert_bias: bool = False
    shared_gate: bool = False  # sigmoid gate on the shared expert (Qwen2-MoE)


FAMILIES = {
    "deepseek_v2": Family(),
    # V3's aux-loss-free balancing adds e_score_correction_bias to the router.
    "deepseek_v3": Family(router_bias=True),
    "qwen2_moe": Family(qkv_bias=True, shared_gate=True),
    "qwen3_moe": Family(qk_norm=True),
    "mixtral": Family(),
    "gpt_oss": Family(qkv_bias=True, o_bias=True, attn_sinks=True,
                      router_bias=True, expert_bias=True),
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
    family: Family
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

def _int(cfg: dict, *names: str, default=_MISSING, minimum: int = 1) -> int:
    """First of `names` present (JSON null counts as absent), checked to be an int."""
    for name in names:
        value = cfg.get(name)
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
    raise ValueError(
        f"missing field {alternatives} (needed for model_type "
        f"'{cfg.get('model_type')}'). Copy it from the model's config.json")


def _family(cfg: dict) -> Family:
    model_type = cfg.get("model_type")
    if model_type is None:
        raise ValueError("missing field 'model_type'. Copy it from the model's config.json")
    if model_type not in FAMILIES:
        raise ValueError(
            f"unsupported model_type {model_type!r} (valid: {', '.join(sorted(FAMILIES))}). "
            "Use the config of one of these MoE families")
    return FAMILIES[model_type]


def _moe_layout(cfg: dict, layers: int) -> dict:
    """Expert counts and which layers are MoE, using each family's field names."""
    model_type = cfg["model_type"]
    if model_type.startswith("deepseek"):
        first = _int(cfg, "first_k_dense_replace", minimum=0)
        freq = _int(cfg, "moe_layer_freq", default=1)
        width = _int(cfg, "moe_intermediate_size")
        return dict(
            experts=_int(cfg, "n_routed_experts"),
            top_k=_int(cfg, "num_experts_per_tok"),
            expert_ffn=width,
            # n_shared experts run as one FFN n_shared times as wide
            shared_ffn=_int(cfg, "n_shared_experts", default=0, minimum=0) * width,
            moe_layers=tuple(i >= first and i % freq == 0 for i in range(layers)))
    if model_type.startswith("qwen"):
        step = _int(cfg, "decoder_sparse_step", default=1)
        dense_only = set(cfg.get("mlp_only_layers") or [])
        return dict(
            experts=_int(cfg, "num_experts"),
            top_k=_int(cfg, "num_experts_per_tok"),
            expert_ffn=_int(cfg, "moe_intermediate_size"),
            shared_ffn=_int(cfg, "shared_expert_intermediate_size", default=0, minimum=0),
            moe_layers=tuple(i not in dense_only and (i + 1) % step == 0
                             for i in range(layers)))
    # Mixtral and gpt-oss: every layer is MoE, intermediate_size is per expert.
    return dict(
        experts=_int(cfg, "num_local_experts", "num_experts"),
        top_k=_int(cfg, "num_experts_per_tok", "experts_per_token"),
        expert_ffn=_int(cfg, "intermediate_size"),
        shared_ffn=0,
        moe_layers=(True,) * layers)


def _mla(cfg: dict) -> Mla | None:
    if cfg.get("kv_lora_rank") is None:
        return None
    return Mla(q_lora_rank=_int(cfg, "q_lora_rank", default=0, minimum=0),
               kv_lora_rank=_int(cfg, "kv_lora_rank"),
               nope=_int(cfg, "qk_nope_head_dim"),
               rope=_int(cfg, "qk_rope_head_dim"),
               v=_int(cfg, "v_head_dim"))


def _spec(cfg: dict) -> Spec:
    """Validate `cfg` and reduce it to a Spec; ValueError names a bad field."""
    family = _family(cfg)
    layers = _int(cfg, "num_hidden_layers")
    hidden = _int(cfg, "hidden_size")
    heads = _int(cfg, "num_attention_heads")
    moe = _moe_layout(cfg, layers)
    # Only a model with some non-MoE layer needs a dense FFN width.
    needs_dense = not all(moe["moe_layers"])
    tied = cfg.get("tie_word_embeddings", False)
    if not isinstance(tied, bool):
        raise ValueError(f"field 'tie_word_embeddings' must be true or false, got {tied!r}. "
                         "Fix the value in the config file")
    return Spec(
        model_type=cfg["model_type"], family=family,
        vocab=_int(cfg, "vocab_size"), hidden=hidden, heads=heads,
        # Hugging Face semantics: no kv-head count means plain MHA and
        # no head_dim means hidden/heads.
        kv_heads=_int(cfg, "num_key_value_heads", default=heads),
        head_dim=_int(cfg, "head_dim", default=hidden // heads),
        mla=_mla(cfg), dense_ffn=_int(cfg, "intermediate_size") if needs_dense else 0,
        tied=tied, mtp_layers=_int(cfg, "num_nextn_predict_layers", default=0, minimum=0),
        **moe)


def _published(cfg: dict) -> dict | None:
    block = cfg.get("_published")
    if block is None:
        return None
    for key in ("total_params", "activated_params"):
        value = block.get(key) if isinstance(block, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"field '_published.{key}' must be a positive number, got {value!r}. "
                             "Fix it or remove the _published block")
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


def _gqa_attention(s: Spec) -> int:
    f, q, kv = s.family, s.heads * s.head_dim, s.kv_heads * s.head_dim
    n = 2 * s.hidden * q + 2 * s.hidden * kv  # q_proj + o_proj, k_proj + v_proj
    n += (q + 2 * kv) if f.qkv_bias else 0
    n += s.hidden if f.o_bias else 0
    n += 2 * s.head_dim if f.qk_norm else 0
    n += s.heads if f.attn_sinks else 0
    return n


def _attention(s: Spec) -> int:
    return _mla_attention(s) if s.mla else _gqa_attention(s)


def _router(s: Spec) -> int:
    f = s.family
    return (s.hidden * s.experts + (s.experts if f.router_bias else 0)
            + (s.hidden if f.shared_gate else 0))


def _expert(s: Spec) -> int:
    return _ffn(s.hidden, s.expert_ffn, bias=s.family.expert_bias)


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
        # input + post-attention norm per layer, plus the final norm
        "norms": Component(always=(2 * len(s.moe_layers) + 1) * s.hidden),
        # A tied table is read in full as lm_head every token, so it is
        # counted once, there, and not as a lookup.
        "embeddings": Component(lookup=0 if s.tied else table),
        "lm_head": Component(always=table),
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
            f"{s.experts} routed experts top-{s.top_k}{shared}")


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
                   gigabytes(b.hot_ffn_params, "fp8")),
        row.format("hot set incl. attention, norms, router, head", human(b.hot_all_params),
                   gigabytes(b.hot_all_params, "fp8")),
    ]
    if b.mtp_params:
        lines.append(f"not counted above: MTP module {human(b.mtp_params)} "
                     f"({b.spec.mtp_layers} layer(s); shares embedding and lm_head)")
    return lines


def _published_line(b: Breakdown) -> str:
    p = b.published
    vendor = "includes" if p.get("activated_counts_input_embedding") else "excludes"
    return (f"vs published: total {p['total_params'] / 1e9:g}B "
            f"({_deviation(b.total_params, p['total_params']):+.2f}%); "
            f"activated {p['activated_params'] / 1e9:g}B "
            f"({_deviation(b.activated_params, p['activated_params']):+.2f}% excl. embedding, "
            f"{_deviation(b.activated_params_incl_embedding, p['activated_params']):+.2f}% incl.; "
            f"the vendor's figure {vendor} it)")


def render(b: Breakdown) -> str:
    """Fixed-width table of the breakdown, totals and the published comparison."""
    lines = [_header(b), "", *_table(b), "", *_totals(b)]
    if b.published:
        lines.append(_published_line(b))
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
            "activated_deviation_pct": _deviation(b.activated_params, p["activated_params"]),
            "activated_incl_embedding_deviation_pct": _deviation(
                b.activated_params_incl_embedding, p["activated_params"]),
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
    parser.add_argument("config", help="Hugging Face config.json, e.g. theses/models/deepseek-v3.json")
    parser.add_argument("--json", action="store_true", help="print every number as JSON")
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
    try:
        b = breakdown(load_config(args.config))
    except (OSError, ValueError) as exc:
        if args.debug:
            raise
        print(_error_message(args.config, exc), file=sys.stderr)
        return 1
    print(json.dumps(to_dict(b), indent=2) if args.json else render(b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
