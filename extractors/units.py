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


_REQUIRED = {"unit", "factor", "surfaces"}


@dataclass(frozen=True)
class Unit:
    unit: str
    factor: float
    surface: str


@functools.lru_cache(maxsize=1)
def unit_table() -> tuple[dict[str, re.Pattern], dict[str, Unit]]:
    """Per first character, a regex matching the unit surfaces that start with it (longest
    first), and surface -> Unit. Dispatching on the first character keeps each regex short.
    A surface of an entry with `case: true` matches only as written (W, Gb/s) and is keyed as
    written; every other surface is keyed in lower case."""
    raw = yaml.load((DATA / "units.yaml").read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    by_surface: dict[str, Unit] = {}
    cased: set[str] = set()
    for i, entry in enumerate(raw["units"]):
        if not _REQUIRED <= set(entry) <= _REQUIRED | {"case"}:
            raise DataFileError(DATA / "units.yaml", f"units[{i}]", "needs unit, factor and surfaces, and may say case")
        for s in entry["surfaces"]:
            key = str(s) if entry.get("case") else str(s).lower()
            if entry.get("case"):
                cased.add(key)
            by_surface.setdefault(key, Unit(entry["unit"], float(entry["factor"]), str(s)))
    groups: dict[str, list[str]] = {}
    for s in sorted(by_surface, key=len, reverse=True):
        p = re.escape(s).replace(r"\ ", r"\s?")
        if _LATIN_LETTER.match(s[-1].lower()):
            p += _WORD_END
        groups.setdefault(s[0].lower(), []).append(f"(?-i:{p})" if s in cased else p)
    return {c: re.compile("|".join(ps), re.I) for c, ps in groups.items()}, by_surface


def match_unit(text: str, pos: int) -> tuple[Unit, int] | None:
    """The unit starting at `pos` (one optional space allowed, or a hyphen before a Latin
    unit: 500-megawatt, 128K-token), and where it ends."""
    if pos < len(text) and text[pos] == " ":
        pos += 1
    elif pos + 1 < len(text) and text[pos] == "-" and _LATIN_LETTER.match(text[pos + 1].lower()):
        pos += 1
    if pos >= len(text):
        return None
    rx_by_char, table = unit_table()
    rx = rx_by_char.get(text[pos].lower())
    m = rx.match(text, pos) if rx else None
    if not m:
        return None
    got = m.group(0)
    for key in (got, got.lower(), re.sub(r"\s+", " ", got.lower()), got.lower().replace(" ", "")):
        if key in table:
            return table[key], m.end()
    return None
