"""Numbers and times as a reader wants them on the page: $4.38T, 47%, 5x, 5M, 2025-12-10."""
from __future__ import annotations

from datetime import date, datetime

_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
_SUFFIX = {"%": "%", "x": "x", "pp": " pp", "bp": " bp"}
_CURRENCY_SIGN = {"USD": "$"}


def short_number(v: float) -> str:
    """A number with at most three significant digits and a T/B/M/k scale.

    >>> short_number(4.38e12), short_number(5e6), short_number(812.5), short_number(-7e11), short_number(0.25)
    ('4.38T', '5M', '812', '-700B', '0.25')
    """
    sign = "-" if v < 0 else ""
    a = abs(v)
    for factor, letter in _SCALES:
        if a >= factor:
            return f"{sign}{a / factor:.3g}{letter}"
    if a == 0:
        return "0"
    return f"{sign}{a:.3g}" if a >= 0.01 else f"{sign}{a:.2e}"


def value(v: float | None, unit: str | None = None) -> str:
    """A value in its unit; an em dash for none.

    >>> value(4.38e12, "USD"), value(47.0, "%"), value(5.0, "x"), value(5e6, "count"), value(2e9, "CNY")
    ('$4.38T', '47%', '5x', '5M', '2B CNY')
    >>> value(None), value(16.191), value(3e9, "bytes"), value(512, "bytes")
    ('—', '16.2', '3 GB', '512 B')
    """
    if v is None:
        return "—"
    n = short_number(float(v))
    if unit in _CURRENCY_SIGN:
        return ("-" + _CURRENCY_SIGN[unit] + n[1:]) if n.startswith("-") else _CURRENCY_SIGN[unit] + n
    if unit in _SUFFIX:
        return n + _SUFFIX[unit]
    if unit == "bytes":  # decimal, as the extractor reads GB and TB
        return n[:-1] + " " + {"T": "TB", "B": "GB", "M": "MB", "k": "kB"}[n[-1]] if n[-1] in "TBMk" else n + " B"
    if not unit or unit == "count":
        return n
    return f"{n} {unit}"


def day(v) -> str:
    """A date or time as YYYY-MM-DD; empty for none."""
    if v is None:
        return ""
    if isinstance(v, datetime | date):
        return v.strftime("%Y-%m-%d")
    return str(v)[:10]


def moment(v) -> str:
    """A time as YYYY-MM-DD HH:MM (UTC, as stored); empty for none."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    return day(v)
