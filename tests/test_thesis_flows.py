"""Two days of news through real flow runs: every assumption and risk of the example thesis moves
in one lane and stays (with decoys beside it) in the other, and exactly the expected alerts
reach a real Apprise json:// receiver, each quoting what moved the check.

Scenarios are data (tests/scenarios/two_days.yaml). All of them share two warehouses (lane
`moves`, lane `stays`: scenarios of different checks do not interfere), so a mode costs four
flow runs on one Prefect server. Each lane reads a feed whose URL changes from day 1 to day 2
while the server keeps the same ETag (a new URL must never answer 304 with old validators and
hide its news), and a text export whose path changes.

Two modes: `extractor` runs the real pipeline end to end and is skipped until the statements
extractor is on this branch (today's Extractor().extract() has no "statements"); `annotated`
runs the same flows with the statements a careful reader annotates in the scenario file added
to the real extractor's output (claims, mentions and all the rest stay real), so the thesis,
loader, flow and alert path are tested before the extractor lands.
"""
from __future__ import annotations

import functools
import html
import json
from datetime import date, datetime, time
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, make_settings
from tests.httpserver import respond, static
from tests.statement_rows import entity_rows, to_contract
from tests.test_thesis_checks import gold_entities_needed
from warehouse.db import read_connection

SCENARIOS = yaml.safe_load((Path(__file__).parent / "scenarios" / "two_days.yaml").read_text(encoding="utf-8"))
DAYS = (date(2026, 3, 2), date(2026, 3, 3))
GOOD = {"holds", "clear"}


@functools.cache
def extractor_has_statements() -> bool:
    from extractors.pipeline import get_extractor
    return "statements" in get_extractor().extract("x")


def lane_articles(lane: str, day: int) -> list[dict]:
    """Every check's articles for one lane and day (1 or 2), tagged with their check."""
    out = []
    for check, s in SCENARIOS.items():
        items = s["day1"] if day == 1 else (s["moves"]["day2"] if lane == "moves" else
                                            s["stays"]["day2"] + s.get("decoys", []))
        out += [{**a, "check": check} for a in items]
    return out


def expected(lane: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(status after day 1, status after day 2, quote of each alert) for every check of a lane."""
    from thesis.evaluate import alertable
    day1 = {c: s["expect_day1"] for c, s in SCENARIOS.items()}
    day2 = {c: s[lane]["expect"] for c, s in SCENARIOS.items()}
    alerts = {c: SCENARIOS[c]["moves"].get("quote", "") for c in day1
              if day1[c] != day2[c] and alertable(day1[c], day2[c])}
    return day1, day2, alerts


def rss(articles: list[dict], day: date) -> bytes:
    when = format_datetime(datetime.combine(day, time(8, 0)).astimezone())
    items = "".join(
        f"<item><title>{html.escape(a['title'])}</title><link>https://wire.example/{day}/{i}</link>"
        f"<guid isPermaLink=\"false\">wire:{day}:{i}</guid><pubDate>{when}</pubDate>"
        f"<content:encoded><![CDATA[<p>{a['text']}</p>]]></content:encoded></item>"
        for i, a in enumerate(articles))
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title>'
            f"<link>https://wire.example/</link><description>test wire</description>{items}</channel></rss>"
            ).encode()


def export(articles: list[dict]) -> str:
    return "#AI\n" + "".join(f"{a['title']}\n{a['text']}\n" for a in articles)


def lane_settings(tmp_path: Path, server, lane: str, day: int):
    """The lane's config on a day: the feed at that day's URL, the export at that day's path."""
    articles = lane_articles(lane, day)
    folder = tmp_path / lane
    folder.mkdir(exist_ok=True)
    feed = folder / f"day{day}.xml"
    feed.write_bytes(rss([a for a in articles if a["via"] == "feed"], DAYS[day - 1]))
    url = server.route(f"/{lane}/day{day}.xml", static(feed, "application/rss+xml", etag='"wire-1"'))
    (folder / f"day{day}.txt").write_text(export([a for a in articles if a["via"] == "export"]), encoding="utf-8")
    sources = [{"name": "wire", "kind": "feed", "url": url, "follow_links": False},
               {"name": "desk", "kind": "text-export", "path": f"{lane}/day{day}.txt",
                "published": DAYS[day - 1].isoformat()}]
    hook = server.base.replace("http://", "json://") + f"/hook/{lane}"
    settings = make_settings(tmp_path, sources, theses=[str(ROOT / "theses" / "system-moore.yaml")], alerts=[hook])
    return settings.model_copy(update={"db": str(tmp_path / f"{lane}.duckdb")})


def annotate(monkeypatch) -> None:
    """Add the scenario file's annotated statements to the real extractor's output, and the
    gold set's entity attributes to the entities table (what the statements branch ships)."""
    import warehouse.load
    from extractors.pipeline import Extractor
    annotated = [a for lane in ("moves", "stays") for day in (1, 2) for a in lane_articles(lane, day)
                 if a.get("statements")]
    real_extract, real_sync = Extractor.extract_records, warehouse.load.sync_reference

    def extract_records(self, records):
        rows = real_extract(self, records)
        for record, row in zip(records, rows, strict=True):
            found = [st for a in annotated if a["text"] in record["text"] for st in a["statements"]]
            unique = list({json.dumps(st, sort_keys=True, ensure_ascii=False): st for st in found}.values())
            statements = [{"polarity": "affirmed", "modality": "fact", **st} for st in unique]
            row["statements"] = to_contract(record["text"], statements, row["claims"])
        return rows

    monkeypatch.setattr(Extractor, "extract_records", extract_records)
    monkeypatch.setattr(warehouse.load, "sync_reference",
                        lambda db, entities, metrics: real_sync(db, entity_rows(gold_entities_needed()), metrics))


def statuses(db: Path) -> dict[str, str]:
    with read_connection(db) as con:
        return dict(con.execute("SELECT assumption_id, status FROM v_status").fetchall())


def test_the_scenario_file_covers_every_check_both_ways():
    from thesis.model import load_thesis
    ids = {item.id for _, item in load_thesis(ROOT / "theses" / "system-moore.yaml").items()}
    assert set(SCENARIOS) == ids
    for check, s in SCENARIOS.items():
        assert s["moves"]["expect"] != s["expect_day1"], f"{check}: `moves` does not move"
        assert s["stays"]["expect"] == s["expect_day1"], f"{check}: `stays` moves"
        assert s["moves"].get("quote"), f"{check}: say what the alert must quote"
        assert s.get("decoys"), f"{check}: no decoy"
        assert {a["via"] for a in lane_articles("moves", 1) + lane_articles("stays", 2)} == {"feed", "export"}


EXTRACTOR_MISSES_ALLOWED = 10  # lower it as the statements extractor improves; never raise it


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["annotated", "extractor"])
def test_two_days_of_news_move_exactly_the_expected_checks(prefect_api, tmp_path, server, monkeypatch, mode):
    from flows.runner import run_flow
    if mode == "extractor" and not extractor_has_statements():
        pytest.skip("the statements extractor is not on this branch: Extractor().extract() gives no "
                    "'statements'; the annotated mode runs these scenarios meanwhile")
    if mode == "annotated":
        annotate(monkeypatch)
    server.route(("POST", "/hook/moves"), respond(200, b"ok"))
    server.route(("POST", "/hook/stays"), respond(200, b"ok"))
    problems = []
    for lane in ("moves", "stays"):
        want1, want2, want_alerts = expected(lane)
        for day, want in ((1, want1), (2, want2)):
            settings = lane_settings(tmp_path, server, lane, day)
            run_flow(settings, as_of=DAYS[day - 1])
            got = statuses(settings.db_path)
            problems += [f"{lane} day {day}: {c} reads {got.get(c)}, expected {w}"
                         for c, w in want.items() if got.get(c) != w]
        with read_connection(settings.db_path) as con:
            new = con.execute("SELECT count(*) FROM fetches WHERE source = 'wire' AND new_articles > 0").fetchall()
        problems += [] if new == [(2,)] else [f"{lane}: the feed's new URL did not deliver new items ({new})"]
        posts = [json.loads(body) for path, _, body in server.posts if path == f"/hook/{lane}"]
        titles = {p["title"].split(": ", 1)[1]: p["message"] for p in posts}
        wanted = {f"{c} {want1[c]} -> {want2[c]}": q for c, q in want_alerts.items()}
        problems += [f"{lane}: unexpected alert {t}" for t in titles.keys() - wanted.keys()]
        problems += [f"{lane}: missing alert {t}" for t in wanted.keys() - titles.keys()]
        problems += [f"{lane}: alert {t} does not quote {q!r}:\n{titles[t]}" for t, q in wanted.items()
                     if t in titles and q not in titles[t]]
        problems += [] if len(posts) == len(titles) else [f"{lane}: an alert arrived twice"]
    plumbing = [p for p in problems if "new URL" in p or "arrived twice" in p]
    assert not plumbing, "\n".join(plumbing)  # ingestion and delivery: never allowed, in either mode
    if mode == "extractor":
        # The real extractor reading text it was not tuned on is a quality figure, not yet a
        # pass/fail: the misses may not grow past the pinned allowance (9 seen on 2026-12-02).
        print(f"extractor mode: {len(problems)} expectation(s) missed:\n" + "\n".join(problems))
        assert len(problems) <= EXTRACTOR_MISSES_ALLOWED, "\n".join(problems)
        return
    assert not problems, "\n".join(problems)
