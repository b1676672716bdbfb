"""The entity gazetteer: shipped YAML plus a user's own files, validated, folded for matching."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extractors.fold import to_simplified

DATA = Path(__file__).parent / "data"
TYPES = ("company", "product", "model", "organisation", "agency", "person", "country", "technology",
         "index", "commodity")


class GazetteerError(Exception):
    pass


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$")
    type: str
    name: str
    ticker: str | None = None
    parent: str | None = None
    aliases: list[str] = []


def _load_file(path: Path) -> list[Entity]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise GazetteerError(f"{path}: cannot read entities ({str(e).splitlines()[0]})") from None
    out = []
    for i, e in enumerate(raw.get("entities") or []):
        try:
            ent = Entity.model_validate(e)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise GazetteerError(f"{path}: entities[{i}].{where}: {first['msg']}") from None
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


def alias_patterns(entities: list[Entity]) -> list[tuple[str, str]]:
    """(folded alias, entity id) pairs; the name and ticker count as aliases too."""
    out: dict[str, str] = {}
    for ent in entities:
        for a in [ent.name, *( [ent.ticker] if ent.ticker else []), *ent.aliases]:
            a = to_simplified(str(a).strip())
            if len(a) >= 2 or re.match(r"[\u4e00-\u9fff]", a):
                out.setdefault(a.lower() if a.isascii() else a, ent.id)
    return list(out.items())
