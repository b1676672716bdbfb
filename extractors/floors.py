"""The quality gate's floors: the scores the gold set must not drop below, pinned together
with a hash of the gold texts they were measured on.

A floor is only meaningful for the corpus it was measured on, so editing a gold text fails the
gate until the floors are pinned again (`thesiswatch eval --pin`), and pinning never lowers a
floor unless asked to (`--allow-lower`), so a regression cannot be pinned away by accident.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from common.exceptions import TerminalException, ThesiswatchError

FLOOR_KEYS = ("entity_f1", "value_f1", "subject_accuracy", "period_accuracy", "metric_accuracy", "versus_accuracy")
STATEMENT_KEYS = ("statement_f1", "modality_accuracy")


class FloorError(ThesiswatchError, TerminalException):
    """Pinning would lower a floor, or the floors file does not match the gold corpus."""


def corpus_hash(folder: Path) -> str:
    """sha256 over the names and bytes of every gold text, in name order."""
    h = hashlib.sha256()
    for f in sorted(folder.glob("*.yaml")):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def scores(report: dict) -> dict[str, float]:
    """The gated figures of an `evaluate_gold` report, or of an `evaluate_statements` one."""
    if "modality_accuracy" in report:
        return {"statement_f1": report["statements"]["f1"], "modality_accuracy": report["modality_accuracy"]}
    return {"entity_f1": report["entities"]["f1"], "value_f1": report["claims"]["f1"],
            "subject_accuracy": report["subject_accuracy"], "period_accuracy": report["period_accuracy"],
            "metric_accuracy": report["metric_accuracy"], "versus_accuracy": report["versus_accuracy"]}


def _keys(report: dict) -> tuple[str, ...]:
    return STATEMENT_KEYS if "modality_accuracy" in report else FLOOR_KEYS


def read_floors(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def below(report: dict, floors: dict) -> dict[str, tuple[float, float]]:
    """{figure: (score, floor)} for every figure under its floor."""
    got = scores(report)
    pinned = floors["floors"]
    return {k: (round(got[k], 3), pinned[k]) for k in FLOOR_KEYS if k in pinned and got[k] < pinned[k]}
    return {k: (round(got[k], 3), floors["floors"][k]) for k in _keys(report) if got[k] < floors["floors"][k]}


def pin(report: dict, folder: Path, path: Path, allow_lower: bool = False) -> dict:
    """Write floors at the report's scores (rounded down to 0.01) for the corpus in `folder`.

    Refuses to lower an existing floor unless `allow_lower`; returns what was written.
    """
    new = {k: int(v * 100) / 100 for k, v in scores(report).items()}
    old = read_floors(path)["floors"] if path.exists() else {}
    lowered = {k: (old[k], new[k]) for k in _keys(report) if k in old and new[k] < old[k]}
    if lowered and not allow_lower:
        detail = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in lowered.items())
        raise FloorError(f"pinning would lower {detail}. Fix the regression, or pass --allow-lower "
                         "and say why in the commit message")
    out = {"corpus_sha256": corpus_hash(folder), "texts": report["texts"],
           "floors": new}
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return out
