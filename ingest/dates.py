"""Publication dates read from the raw strings feeds and pages carry, in the source's time
zone, as naive UTC. Never a wrong date: what cannot be read is None with a note.

feedparser's own parse turns `2025/12/10 08:30` into 2025-12-01, reads `CST` as US Central
and a zone-less time as UTC; so the common shapes are read here, and dateparser (the
well-kept general parser) reads the rest, after the zone has been settled here.

    >>> from zoneinfo import ZoneInfo
    >>> read_date("Wed, 10 Dec 2025 08:30:00 CST", ZoneInfo("Asia/Taipei"))[0]
    datetime.datetime(2025, 12, 10, 0, 30)
    >>> read_date("2025年12月10日 08:30", ZoneInfo("Asia/Shanghai"))[0]
    datetime.datetime(2025, 12, 10, 0, 30)
"""
from __future__ import annotations

import email.utils
import functools
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

_DATA = Path(__file__).parent / "data" / "timezones.yaml"
_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?")
_NUMERIC = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?")
_CLOCK = re.compile(r"(上午|下午|凌晨|中午|晚上|早上)?\s*(\d{1,2})\s*[:：時时点點]\s*(\d{1,2})?\s*分?(?::(\d{2}))?")
_OFFSET = re.compile(r"(?:^|\s)(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.I)
_ABBREV = re.compile(r"\b([A-Z]{1,5})$")
_MERIDIEM = re.compile(r"\b([ap])\.?\s?m\b\.?", re.I)
_WEEKDAY = re.compile(r"(星期|週|周|礼拜|禮拜)[一二三四五六日天]|[（(][一二三四五六日][）)]")
FUTURE_SLACK = timedelta(days=1)


@functools.cache
def _table() -> dict:
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


def zone_for(timezone_name: str | None, locale: str | None) -> ZoneInfo:
    """The zone a source's dates are read in: its own `timezone:`, else its locale's, else UTC."""
    return ZoneInfo(timezone_name or _table()["locale_zones"].get(locale or "", "UTC"))


def _fixed(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


def _zone_token(s: str, tz: ZoneInfo) -> tuple[str, timezone | ZoneInfo | None]:
    """Split a trailing zone (offset or abbreviation) off `s`; None when there is none."""
    m = _OFFSET.search(s)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        return s[:m.start()].rstrip(), _fixed(sign * (int(m.group(2)) + int(m.group(3) or 0) / 60))
    m = _ABBREV.search(s)
    if m:
        name, table = m.group(1), _table()
        if name == "CST":
            hours = table["cst_china"] if tz.key in table["china_standard_zones"] else table["cst_us"]
            return s[:m.start()].rstrip(), _fixed(hours)
        if name in table["abbreviations"]:
            return s[:m.start()].rstrip(), _fixed(table["abbreviations"][name])
        if name in table["zone_names"]:
            return s[:m.start()].rstrip(), ZoneInfo(table["zone_names"][name])
    return s, None


def _clock(rest: str) -> tuple[int, int, int]:
    m = _CLOCK.search(rest)
    if not m:
        return 0, 0, 0
    hour = int(m.group(2))
    if m.group(1) in ("下午", "晚上") and hour < 12:
        hour += 12
    return hour, int(m.group(3) or 0), int(m.group(4) or 0)


def _shapes(s: str) -> datetime | None:
    """Year-first numeric and CJK dates, with an optional clock time; naive."""
    m = _NUMERIC.match(s)
    if m:
        y, mo, d, h, mi, sec = (int(g) if g else 0 for g in m.groups())
        return datetime(y, mo, d, h, mi, sec)
    m = _CJK.search(s)
    if m:
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), *_clock(s[m.end():]))
    return None


def _parse(s: str, tz: ZoneInfo) -> datetime | None:
    try:
        parsed = email.utils.parsedate_tz(s)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed and re.search(r"[A-Za-z]{3}", s):  # RFC 822: "Wed, 10 Dec 2025 08:30:00"
        # the zone was split off before; parsedate_tz reports 0 for "none", so its offset is not used
        when = datetime(*parsed[:6])
        meridiem = _MERIDIEM.search(s)  # parsedate_tz skips "PM": 5:48 PM would be read as 05:48
        if meridiem and when.hour <= 12:
            when = when.replace(hour=when.hour % 12 + (12 if meridiem.group(1).lower() == "p" else 0))
        return when.replace(tzinfo=tz)
    try:
        iso = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return iso if iso.tzinfo else iso.replace(tzinfo=tz)
    except ValueError:
        pass
    naive = _shapes(s)
    if naive is not None:
        return naive.replace(tzinfo=tz)
    import dateparser  # the general case; imported late, it costs 0.1 s
    got = dateparser.parse(s, languages=["zh", "en"], settings={
        "TIMEZONE": tz.key, "RETURN_AS_TIMEZONE_AWARE": True, "DATE_ORDER": "YMD",
        "PREFER_DATES_FROM": "past", "STRICT_PARSING": False})
    return got


def read_date(raw: str | None, tz: ZoneInfo, now: datetime | None = None) -> tuple[datetime | None, str | None]:
    """(naive UTC datetime or None, a note or None) for a date string written in zone `tz`
    unless it names its own. A date more than a day in the future is kept, with a note."""
    if not raw or not raw.strip():
        return None, None
    s = _WEEKDAY.sub(" ", unicodedata.normalize("NFKC", raw)).strip(" ,")
    s, zone = _zone_token(s, tz)
    try:
        local = _parse(s, zone or tz)
    except (ValueError, OverflowError):
        local = None
    if local is None:
        return None, f"unreadable date {raw.strip()[:60]!r} left empty"
    utc = local.astimezone(UTC).replace(tzinfo=None)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if utc > now + FUTURE_SLACK:
        return utc, f"date {raw.strip()[:60]!r} is in the future; kept as written"
    return utc, None
