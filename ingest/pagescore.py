"""Score the page reader on a page corpus (tests/pages: html/ + expect.yaml), the way
trafilatura's evaluation does: a `with` snippet found is a true positive, missing a false
negative; a `without` snippet found is a false positive, absent a true negative; precision,
recall and F1 over the whole corpus. A page recorded as partial (paywall, title only) counts
as no text. Titles, dates, authors and the partial verdict are checked per page too.

    python -m ingest.pagescore tests/pages [--errors]      (or: thesiswatch eval --pages)
"""
from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from ingest.pages import Page, read_page

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "tests" / "pages"
# The corpus gives dates in the page's own zone; its pages carry no source config, so the zone
# of the region in the page's <html lang> (else of its language's sites) stands in for the
# source's `timezone:`.
ZONES = {"gb": "Europe/London", "hk": "Asia/Hong_Kong", "tw": "Asia/Taipei", "cn": "Asia/Shanghai",
         "en": "America/New_York", "zh-Hant": "Asia/Taipei", "zh-Hans": "Asia/Shanghai"}
_HTML_LANG = re.compile(rb"<html[^>]*\slang=[\"']?[a-z]+(?:-[a-z]{4})?-([a-z]{2})\b", re.I)


def collapse(s: str | None) -> str:
    return " ".join((s or "").split())


@dataclass
class PageResult:
    file: str
    kind: str
    missed: list[str] = field(default_factory=list)  # `with` snippets not found
    leaked: list[str] = field(default_factory=list)  # `without` snippets found
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # tp, fn, fp, tn
    problems: list[str] = field(default_factory=list)  # title, date, author, kind mismatches
    seconds: float = 0.0


def load_corpus(folder: Path) -> list[dict]:
    return yaml.safe_load((folder / "expect.yaml").read_text(encoding="utf-8"))


def zone_of(entry: dict, body: bytes = b"") -> ZoneInfo:
    m = _HTML_LANG.search(body[:2000])
    region = m.group(1).decode().lower() if m else None
    return ZoneInfo(ZONES.get(region) or ZONES.get(entry.get("lang"), "UTC"))


def stored_text(page: Page) -> str:
    """What the warehouse would store as the article's text: nothing for a partial page."""
    return "" if page.partial else page.item.text


def fields_problems(page: Page, entry: dict, zone: ZoneInfo) -> list[str]:
    """Title, date, author and kind of one page against its entry; empty when all agree."""
    out = []
    if (entry["kind"] == "paywall") != bool(page.partial):
        out.append(f"kind: expected {entry['kind']}, partial={page.partial!r}")
    if collapse(page.item.title) != collapse(entry["title"]):
        out.append(f"title: expected {entry['title']!r}, got {page.item.title!r}")
    got = page.item.published_at
    got_day = got.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date().isoformat() if got else None
    if got_day != entry["date"]:
        out.append(f"date: expected {entry['date']}, got {got_day} ({got} UTC)")
    want, author = (entry.get("author") or "").casefold(), (page.author or "").casefold()
    if want and want not in author:
        out.append(f"author: expected {entry['author']!r}, got {page.author!r}")
    return out


def score_text(text: str, entry: dict) -> tuple[list[str], list[str]]:
    """(`with` snippets missing, `without` snippets present) in a text, whitespace collapsed."""
    text = collapse(text)
    return ([s for s in entry["with"] if collapse(s) not in text],
            [s for s in entry["without"] if collapse(s) in text])


def score_page(folder: Path, entry: dict, reader: Callable[..., Page] = read_page) -> PageResult:
    body = (folder / "html" / entry["file"]).read_bytes()
    start = time.perf_counter()
    zone = zone_of(entry, body)
    page = reader(body, tz=zone)
    seconds = time.perf_counter() - start
    missed, leaked = score_text(stored_text(page), entry)
    n_with, n_without = len(entry["with"]), len(entry["without"])
    counts = (n_with - len(missed), len(missed), len(leaked), n_without - len(leaked))
    return PageResult(entry["file"], entry["kind"], missed, leaked, counts, fields_problems(page, entry, zone), seconds)


def f1(tp: int, fn: int, fp: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def evaluate_pages(folder: Path | None = None, reader: Callable[..., Page] = read_page) -> dict:
    """Corpus scores: precision, recall, F1, counts, seconds, and the per-page results."""
    folder = Path(folder or DEFAULT_DIR)
    results = [score_page(folder, e, reader) for e in load_corpus(folder)]
    tp, fn, fp, tn = (sum(r.counts[i] for r in results) for i in range(4))
    precision, recall, score = f1(tp, fn, fp)
    return {"pages": len(results), "tp": tp, "fn": fn, "fp": fp, "tn": tn, "precision": round(precision, 3),
            "recall": round(recall, 3), "f1": round(score, 3), "seconds": round(sum(r.seconds for r in results), 3),
            "fields_ok": sum(not r.problems for r in results), "results": results}


def render(report: dict, show_errors: bool = False) -> str:
    r = report
    lines = [f"Page corpus: {r['pages']} pages, {r['tp'] + r['fn']} with- and {r['fp'] + r['tn']} without-snippets",
             f"main text   precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}"
             f"   (tp {r['tp']}, fn {r['fn']}, fp {r['fp']}, tn {r['tn']})",
             f"fields      {r['fields_ok']}/{r['pages']} pages with title, date, author and kind right",
             f"time        {r['seconds']:.2f} s for {r['pages']} pages "
             f"({1000 * r['seconds'] / r['pages']:.0f} ms/page)"]
    if show_errors:
        for res in r["results"]:
            for s in res.missed:
                lines.append(f"  {res.file}: missing {s!r}")
            for s in res.leaked:
                lines.append(f"  {res.file}: clutter kept {s!r}")
            for p in res.problems:
                lines.append(f"  {res.file}: {p}")
    return "\n".join(lines)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    print(render(evaluate_pages(Path(args[0]) if args else None), show_errors="--errors" in sys.argv))
