"""Publication dates: every shape seen in Taiwan, Hong Kong, mainland and US feeds is read in
the source's time zone, and a date that cannot be read is empty with a note, never wrong."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ingest.dates import read_date, zone_for
from ingest.feeds import parse_feed

TAIPEI, SHANGHAI, NEW_YORK = ZoneInfo("Asia/Taipei"), ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")
NOW = datetime(2026, 1, 15)


@pytest.mark.parametrize("raw,tz,utc", [
    # feedparser reads these two as 2025-12-01 00:00
    ("2025/12/10 08:30:00", TAIPEI, datetime(2025, 12, 10, 0, 30)),
    ("2025年12月10日 08:30", TAIPEI, datetime(2025, 12, 10, 0, 30)),
    ("2025年12月10日 下午3:05", TAIPEI, datetime(2025, 12, 10, 7, 5)),
    ("2025年12月10日（三）15:05", SHANGHAI, datetime(2025, 12, 10, 7, 5)),
    ("2025年12月10日 星期三 上午9時12分", TAIPEI, datetime(2025, 12, 10, 1, 12)),
    ("２０２５年１２月１０日", TAIPEI, datetime(2025, 12, 9, 16, 0)),
    ("2025-12-10", TAIPEI, datetime(2025, 12, 9, 16, 0)),  # midnight in Taipei
    ("2025.12.10 23:59", SHANGHAI, datetime(2025, 12, 10, 15, 59)),
    # CST is China Standard Time for a Chinese-language zone, US Central elsewhere
    ("Wed, 10 Dec 2025 08:30:00 CST", TAIPEI, datetime(2025, 12, 10, 0, 30)),
    ("Wed, 10 Dec 2025 08:30:00 CST", NEW_YORK, datetime(2025, 12, 10, 14, 30)),
    ("Wed, 10 Dec 2025 08:30:00 GMT+8", NEW_YORK, datetime(2025, 12, 10, 0, 30)),
    ("Wed, 10 Dec 2025 08:30:00 UTC+08:00", NEW_YORK, datetime(2025, 12, 10, 0, 30)),
    ("Wed, 10 Dec 2025 08:30:00 +0800", NEW_YORK, datetime(2025, 12, 10, 0, 30)),
    ("Wed, 10 Dec 2025 08:30:00 -0500", TAIPEI, datetime(2025, 12, 10, 13, 30)),
    ("Wed, 10 Dec 2025 08:30:00 EST", TAIPEI, datetime(2025, 12, 10, 13, 30)),
    ("Wed, 10 Dec 2025 08:30:00 HKT", NEW_YORK, datetime(2025, 12, 10, 0, 30)),
    ("Wed, 10 Dec 2025 08:30:00 GMT", TAIPEI, datetime(2025, 12, 10, 8, 30)),
    # RFC 822 without a zone: the source's zone, not UTC
    ("Wed, 10 Dec 2025 08:30:00", TAIPEI, datetime(2025, 12, 10, 0, 30)),
    ("2025-12-10T08:30:00", SHANGHAI, datetime(2025, 12, 10, 0, 30)),
    ("2025-12-10T08:30:00Z", TAIPEI, datetime(2025, 12, 10, 8, 30)),
    ("2025-12-10T08:30:00+09:00", TAIPEI, datetime(2025, 12, 9, 23, 30)),
    ("Dec 10, 2025 8:30 AM", NEW_YORK, datetime(2025, 12, 10, 13, 30)),
    ("10 December 2025", NEW_YORK, datetime(2025, 12, 10, 5, 0)),
    # a page's dateline: PM is twelve hours on, and ET/PT name a zone with summer time
    ("Thursday, November 6, 2025 5:48 PM PST", TAIPEI, datetime(2025, 11, 7, 1, 48)),
    ("Dec 10, 2025 12:15 a.m.", NEW_YORK, datetime(2025, 12, 10, 5, 15)),
    ("Dec 5, 2025 8:30 a.m. ET", TAIPEI, datetime(2025, 12, 5, 13, 30)),
    ("Jul 7, 2025 8:30 p.m. ET", TAIPEI, datetime(2025, 7, 8, 0, 30)),
    ("Nov 6, 2025 5:48 PM PT", TAIPEI, datetime(2025, 11, 7, 1, 48)),
])
def test_dates_are_read_in_the_sources_zone(raw, tz, utc):
    assert read_date(raw, tz, now=NOW) == (utc, None)


@pytest.mark.parametrize("raw", ["not a date", "2025-13-45", "2025年13月40日", "Thu, 99 Foo 2025 99:99"])
def test_an_unreadable_date_is_empty_with_a_note_never_a_wrong_date(raw):
    when, note = read_date(raw, TAIPEI, now=NOW)
    assert when is None and note == f"unreadable date {raw!r} left empty"


def test_a_date_in_the_future_is_kept_with_a_note():
    when, note = read_date("2026-03-01 10:00", TAIPEI, now=NOW)
    assert when == datetime(2026, 3, 1, 2, 0) and note == "date '2026-03-01 10:00' is in the future; kept as written"
    assert read_date("2026-01-15 20:00", TAIPEI, now=NOW) == (datetime(2026, 1, 15, 12, 0), None)  # within a day


@pytest.mark.parametrize("timezone,locale,zone", [
    (None, "TW", "Asia/Taipei"), (None, "CN", "Asia/Shanghai"), (None, "HK", "Asia/Hong_Kong"),
    (None, "US", "America/New_York"), (None, None, "UTC"), ("Europe/London", "TW", "Europe/London"),
])
def test_the_zone_comes_from_the_source_then_its_locale(timezone, locale, zone):
    assert zone_for(timezone, locale).key == zone


def _feed(*dates: str) -> bytes:
    items = "".join(f"<item><title>t{i}</title><guid>g{i}</guid><pubDate>{d}</pubDate>"
                    f"<description>第{i}則新聞的內文。</description></item>" for i, d in enumerate(dates))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{items}' \
           f"</channel></rss>".encode()


def test_a_taiwan_feed_gets_its_dates_right_and_says_which_it_could_not_read():
    parsed = parse_feed(_feed("2025/12/10 08:30:00", "Wed, 10 Dec 2025 08:30:00 CST", "sometime soon"),
                        tz=TAIPEI)
    assert [i.published_at for i in parsed.items] == [datetime(2025, 12, 10, 0, 30), datetime(2025, 12, 10, 0, 30),
                                                      None]
    assert "unreadable date 'sometime soon' left empty" in parsed.notes


def test_a_source_timezone_must_be_a_real_zone():
    from pydantic import ValidationError

    from flows.config import SourceConfig
    with pytest.raises(ValidationError, match="'Mars/Olympus' is not a time zone name"):
        SourceConfig(name="x", kind="feed", url="http://127.0.0.1/x", timezone="Mars/Olympus")
