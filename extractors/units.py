"""The unit table (data/units.yaml): which surface after a number means which unit and factor."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from common.exceptions import DataFileError
from extractors.patterns import load

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster

DATA = Path(__file__).parent / "data"
_RULES = load("unit_surfaces")
_LATIN_LETTER = _RULES.regex("latin_letter")
_WORD_END = _RULES.regex("word_end").pattern


@dataclass(frozen=True)
class Unit:
    unit: str
    factor: float
    surface: str


@functools.lru_cache(maxsize=1)
def unit_table() -> tuple[dict[str, re.Pattern], dict[str, Unit]]:
    """Per first character, a regex matching the unit surfaces that start with it (longest
    first), and surface -> Unit. Dispatching on the first character keeps each regex short."""
    raw = yaml.load((DATA / "units.yaml").read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    by_surface: dict[str, Unit] = {}
    for i, entry in enumerate(raw["units"]):
        if not {"unit", "factor", "surfaces"} <= set(entry):
            raise DataFileError(DATA / "units.yaml", f"units[{i}]", "needs unit, factor and surfaces")
        for s in entry["surfaces"]:
            by_surface.setdefault(str(s).lower(), Unit(entry["unit"], float(entry["factor"]), str(s)))
    groups: dict[str, list[str]] = {}
    for s in sorted(by_surface, key=len, reverse=True):
        p = re.escape(s).replace(r"\ ", r"\s?")
        if _LATIN_LETTER.match(s[-1]):
            p += _WORD_END
        groups.setdefault(s[0], []).append(p)
    return {c: re.compile("|".join(ps), re.I) for c, ps in groups.items()}, by_surface


def match_unit(text: str, pos: int) -> tuple[Unit, int] | None:
    """The unit starting at `pos` (one optional space allowed), and where it ends."""
    if pos < len(text) and text[pos] == " ":
        pos += 1
    if pos >= len(text):
        return None
    rx_by_char, table = unit_table()
    rx = rx_by_char.get(text[pos].lower())
    m = rx.match(text, pos) if rx else None
    if not m:
        return None
    key = m.group(0).lower()
    unit = table.get(key) or table.get(re.sub(r"\s+", " ", key)) or table.get(key.replace(" ", ""))
    return (unit, m.end()) if unit else None
