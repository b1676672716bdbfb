"""The entity gazetteer: shipped YAML plus a user's own files, validated, folded for matching."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.exceptions import TerminalException, ThesiswatchError
from common.validation import dotted, first_problem
from extractors.fold import to_simplified

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster

DATA = Path(__file__).parent / "data"
TYPES = ("company", "product", "model", "organisation", "agency", "person", "country", "technology",
         "index", "commodity")


class GazetteerError(ThesiswatchError, TerminalException):
    """An entity file with a mistake; the message names the file and the entry."""


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$")
    type: str
    name: str
    ticker: str | None = None
    parent: str | None = None
    aliases: list[str] = []
    # source: reports numbers about others (analysts, agencies, media); indicator: CPI, PMI.
    # Neither is the subject of a claim when something else is named.
    role: Literal["source", "indicator"] | None = None


def _load_file(path: Path) -> list[Entity]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    except (OSError, yaml.YAMLError) as e:
        raise GazetteerError(f"{path}: cannot read entities ({str(e).splitlines()[0]})") from None
    out = []
    for i, e in enumerate(raw.get("entities") or []):
        try:
            ent = Entity.model_validate(e)
        except ValidationError as err:
            loc, msg = first_problem(err)
            raise GazetteerError(f"{path}: entities[{i}].{dotted(loc)}: {msg}") from None
        if ent.type not in TYPES:
            raise GazetteerError(f"{path}: entity {ent.id}: type {ent.type!r} is not one of {', '.join(TYPES)}")
        out.append(ent)
    return out


def load_entities(extra: tuple[str, ...] = ()) -> list[Entity]:
    """Shipped entities, then each user file in order; a user entry replaces one with the same id."""
    merged: dict[str, Entity] = {}
    for path in [DATA / "entities.yaml", *map(Path, extra)]:
        for ent in _load_file(path):
            merged[ent.id] = ent
    for ent in merged.values():
        if ent.parent and ent.parent not in merged:
            raise GazetteerError(f"entity {ent.id}: parent {ent.parent!r} is not a known entity id")
    return list(merged.values())


def surface_forms(entities: list[Entity]) -> list[str]:
    """Every alias as written (folded to Simplified, case kept), for teaching the segmenter."""
    return sorted({to_simplified(str(a).strip()) for e in entities for a in [e.name, *e.aliases]})


def case_sensitive(alias: str) -> bool:
    """Short all-capital names (ON, HP, GM, TPU) must match exactly: 'on' is a word."""
    return alias.isascii() and alias.isupper() and len(alias.replace(" ", "")) <= 4


def alias_patterns(entities: list[Entity]) -> list[tuple[str, str, bool]]:
    """(folded alias, entity id, case-sensitive) triples; the name and ticker count as aliases.

    Aliases keep their case: the tokenizer splits "u.s." differently from "U.S.", and the
    case-insensitive matcher compares lower-case forms anyway.
    """
    out: dict[tuple[str, bool], tuple[str, str]] = {}
    for ent in entities:
        for a in [ent.name, *([ent.ticker] if ent.ticker else []), *ent.aliases]:
            a = to_simplified(str(a).strip())
            if not (len(a) >= 2 or re.match(r"[\u4e00-\u9fff]", a)):
                continue
            exact = case_sensitive(a)
            out.setdefault((a if exact else a.lower(), exact), (a, ent.id))
    return [(a, eid, exact) for (_, exact), (a, eid) in out.items()]
