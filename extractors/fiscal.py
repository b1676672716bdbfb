"""Fiscal calendars (data/fiscal_calendars.yaml): which company's fiscal year ends when, and the
calendar quarter a fiscal quarter falls in.

A fiscal period is stored in the company's own numbering with an `FY` prefix (NVIDIA's fiscal 2026
third quarter is `FY2026Q3`); `calendar_quarter` turns it into the calendar quarter it mostly
covers, for comparing companies with different calendars.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from common.exceptions import DataFileError

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FILE = Path(__file__).parent / "data" / "fiscal_calendars.yaml"
_FISCAL = re.compile(r"FY(\d{4})(?:Q([1-4]))?")


@dataclass(frozen=True)
class FiscalYear:
    ends: int  # the calendar month the fiscal year ends in, 1-12
    named_by_start: bool = False  # FY2025 starts in 2025 (SoftBank) rather than ending in it

    @property
    def calendar(self) -> bool:
        return self.ends == 12 and not self.named_by_start

    def first_month(self, year: int) -> int:
        """Fiscal `year`'s first month as a month count (calendar year * 12 + month - 1)."""
        end_year = year + 1 if self.named_by_start else year
        return end_year * 12 + self.ends - 1 - 11

    def year_of_quarter_ended_by(self, quarter: int, day: date) -> int:
        """The fiscal year whose `quarter` is the latest to have ended on or before `day`."""
        now = day.year * 12 + day.month - 1
        year = day.year + 1
        while self.first_month(year) + 3 * quarter - 1 >= now:  # that quarter's last month is not over
            year -= 1
        return year


@functools.lru_cache(maxsize=1)
def calendars() -> dict[str, FiscalYear]:
    """Entity id -> FiscalYear, read and checked once."""
    raw = yaml.load(FILE.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    if not isinstance(raw.get("calendars"), dict):
        raise DataFileError(FILE, "calendars", "must map entity ids to {ends: month}")
    out = {}
    for eid, entry in raw["calendars"].items():
        if not isinstance(entry, dict) or set(entry) - {"ends", "named_by"} or "ends" not in entry:
            raise DataFileError(FILE, f"calendars.{eid}", "needs `ends` (a month) and optionally `named_by: start`")
        if entry["ends"] not in range(1, 13):
            raise DataFileError(FILE, f"calendars.{eid}.ends", f"{entry['ends']!r} is not a month 1-12")
        if entry.get("named_by", "end") not in ("start", "end"):
            raise DataFileError(FILE, f"calendars.{eid}.named_by", "must be start or end")
        out[str(eid)] = FiscalYear(entry["ends"], entry.get("named_by") == "start")
    return out


def fiscal_year_of(entity: str | None) -> FiscalYear | None:
    """The entity's fiscal calendar when it is not the calendar year, else None."""
    fy = calendars().get(entity) if entity else None
    return fy if fy and not fy.calendar else None


def calendar_quarter(period: str, entity: str) -> str:
    """The calendar quarter (or year) a fiscal period of `entity` mostly covers: the quarter of
    its middle month. Calendar periods and entities without a calendar come back unchanged.

    >>> calendar_quarter("FY2026Q3", "nvidia")      # Aug-Oct 2025
    '2025Q3'
    >>> calendar_quarter("FY2026Q2", "oracle")      # Sep-Nov 2025
    '2025Q4'
    >>> calendar_quarter("FY2026Q1", "microsoft")   # Jul-Sep 2025
    '2025Q3'
    >>> calendar_quarter("FY2025Q3", "softbank")    # Oct-Dec 2025
    '2025Q4'
    >>> calendar_quarter("FY2026", "nvidia")        # Feb 2025 - Jan 2026
    '2025'
    >>> calendar_quarter("2025Q3", "tsmc")
    '2025Q3'
    """
    m = _FISCAL.fullmatch(period)
    fy = calendars().get(entity)
    if not m or fy is None:
        return period
    first = fy.first_month(int(m[1]))
    if m[2] is None:
        return str((first + 6) // 12)  # the calendar year holding most of its months
    middle = first + 3 * (int(m[2]) - 1) + 1
    return f"{middle // 12}Q{middle % 12 // 3 + 1}"
