"""The unit table (data/units.yaml): which surface after a number means which unit and factor."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Unit:
    unit: str
    factor: float
    surface: str


@functools.lru_cache(maxsize=1)
def unit_table() -> tuple[re.Pattern, dict[str, Unit]]:
    """A regex matching any unit surface at a position (longest first) and surface -> Unit."""
    raw = yaml.safe_load((DATA / "units.yaml").read_text(encoding="utf-8"))
    by_surface: dict[str, Unit] = {}
    for entry in raw["units"]:
        if not {"unit", "factor", "surfaces"} <= set(entry):
            raise ValueError(f"units.yaml: entry {entry} needs unit, factor and surfaces")
        for s in entry["surfaces"]:
            by_surface.setdefault(str(s).lower(), Unit(entry["unit"], float(entry["factor"]), str(s)))
    parts = []
    for s in sorted(by_surface, key=len, reverse=True):
        p = re.escape(s).replace(r"\ ", r"\s?")
        if re.match(r"[a-z]", s[-1]):
            p += r"(?![a-z])"  # 'b' of 'bn' must not match the 'b' of 'bushels'
        parts.append(p)
    return re.compile("|".join(parts), re.I), by_surface


def match_unit(text: str, pos: int) -> tuple[Unit, int] | None:
    """The unit starting at `pos` (one optional space allowed), and where it ends."""
    rx, table = unit_table()
    start = pos + 1 if pos < len(text) and text[pos] == " " else pos
    m = rx.match(text, start)
    if not m:
        return None
    return table[m.group(0).lower().replace("  ", " ")] if m.group(0).lower() in table else \
        table[re.sub(r"\s+", " ", m.group(0).lower())], m.end()
