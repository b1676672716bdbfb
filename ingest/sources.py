"""Fetch and parse one configured source into article rows. A plain function: no Prefect here.

Whatever goes wrong with a source becomes a `failed` result with a reason; it never raises
into the run, so the other sources still load.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import httpx

from common.clock import utcnow
from ingest.charset import decode
from ingest.dates import zone_for
from ingest.fetch import Fetched, FetchError, fetch_url, read_local
from ingest.items import Item, NotAFeed, Parsed

# The parsers (feedparser, trafilatura, bs4, OpenCC) are imported where a body is parsed, so a
# run whose sources all answer "not modified" never pays for them.

if TYPE_CHECKING:  # settings are passed down by flows/; only their types are named here
    from flows.config import Settings, SourceConfig

# Part of a local file's validator: bump it when parsing changes, so unchanged files are read again.
PARSER_VERSION = "2026.12.02"
_FEED_EXT = {".xml", ".rss", ".atom", ".feed"}
_PAGE_EXT = {".html", ".htm"}
_TEXT_EXT = {".txt"}


@dataclass
class SourceResult:
    source: dict
    started_at: datetime
    status: str = "ok"  # ok | partial | not_modified | failed
    url: str | None = None
    http_status: int | None = None
    bytes: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    articles: list[dict] = field(default_factory=list)
    elapsed: float = 0.0  # seconds spent fetching, parsing and normalising
    ended: float = 0.0  # time.perf_counter() when done, to measure the concurrent fetch phase

    def fetch_row(self) -> dict:
        return {"url": self.url, "started_at": self.started_at, "status": self.status,
                "http_status": self.http_status, "bytes": self.bytes, "error": self.error,
                "note": "; ".join(self.notes) or None, "etag": self.etag, "last_modified": self.last_modified}


def source_dict(s: SourceConfig) -> dict:
    return {"name": s.name, "kind": s.kind, "location": s.location, "lang": s.lang, "tags": s.tags}


def _is_local(s: SourceConfig) -> bool:
    return bool(s.path) or urlsplit(s.url or "").scheme == "file"


def _local_path(s: SourceConfig, settings: Settings) -> Path:
    if s.path:
        return settings.resolve(s.path)
    return Path(urlsplit(s.url).path)


def _base_url(got: Fetched) -> str | None:
    """Where relative links of a fetched document point from: Content-Location, else the final URL."""
    if not got.url.startswith(("http://", "https://")):
        return None
    return urljoin(got.url, got.content_location) if got.content_location else got.url


def _parse(kind: str, got: Fetched, tz: ZoneInfo) -> Parsed:
    if kind == "feed":
        from ingest.feeds import parse_feed
        return parse_feed(got.body, got.content_type, tz, _base_url(got))
    if kind == "page":
        from ingest.pages import read_page
        page = read_page(got.body, got.content_type, url=got.url if got.url.startswith("http") else None, tz=tz)
        if page.partial:  # a title or a paywall teaser is not the story: a partial fetch, no article
            return Parsed(warning=f"{page.partial}; not stored as an article", notes=page.notes)
        text = page.item.text
        return Parsed(items=[page.item] if text else [], warning=None if text else "no article text found",
                      notes=page.notes)
    if kind == "text-export":
        from ingest.exports import parse_export
        return parse_export(decode(got.body, got.content_type)[0])
    raise ValueError(kind)


def _kind_for(path: Path) -> str | None:
    ext = path.suffix.lower()
    return "feed" if ext in _FEED_EXT else "page" if ext in _PAGE_EXT else "text-export" if ext in _TEXT_EXT else None


def _follow_links(items: list[Item], settings: Settings, notes: list[str], tz: ZoneInfo) -> None:
    """Replace summary-only entries' text with the linked page's main text (http/https only);
    a linked page that is only a title or a paywall teaser leaves the summary in place."""
    from ingest.pages import read_page
    failed = stubs = 0
    for it in items:
        try:
            scheme = urlsplit(it.url or "").scheme
        except ValueError:
            continue
        if not (it.needs_page and scheme in ("http", "https")):
            continue
        try:
            got = fetch_url(it.url, settings.fetch)
            page = read_page(got.body, got.content_type, url=got.url, tz=tz)  # got.url: after redirects
            if page.partial:
                stubs += 1
            elif len(page.item.text) > len(it.text):
                it.text = page.item.text
                it.published_at = it.published_at or page.item.published_at
        except (FetchError, ValueError, httpx.HTTPError, RecursionError):
            failed += 1
    if failed:
        notes.append(f"{failed} linked page(s) could not be fetched; kept their summaries")
    if stubs:
        notes.append(f"{stubs} linked page(s) were only a title, a paywall teaser or empty; kept their summaries")


def _default_published(s: SourceConfig, as_of=None) -> datetime | None:
    if s.published:
        return datetime.combine(s.published, dtime(0, 0))
    if as_of:
        return datetime.combine(as_of, dtime(0, 0))
    return None


def fetch_source(s: SourceConfig, settings: Settings, etag: str | None = None,
                 last_modified: str | None = None, replay_day=None) -> SourceResult:
    """Fetch, parse and normalise one source. Never raises for a bad source.
    `replay_day` (backfill): read only that day's files from a folder, dating undated items."""
    res = SourceResult(source=source_dict(s), started_at=utcnow())
    clock = time.perf_counter()
    try:
        _fetch_into(res, s, settings, etag, last_modified, replay_day)
    except (FetchError, NotAFeed) as e:
        res.status, res.error = "failed", str(e)
    except RecursionError:
        res.status, res.error = "failed", "document nested too deeply to parse"
    except Exception as e:  # a parser bug must not end the run; say what it was
        res.status, res.error = "failed", f"{type(e).__name__}: {str(e)[:300]}"
    if res.status == "failed":
        res.articles = []
        res.etag = res.last_modified = None
    res.ended = time.perf_counter()
    res.elapsed = res.ended - clock
    return res


def _fetch_into(res: SourceResult, s: SourceConfig, settings: Settings, etag, last_modified, as_of) -> None:
    fetched_at = utcnow()
    default_pub = _default_published(s, as_of)
    tz = zone_for(s.timezone, s.locale)
    parsed_all: list[Item] = []
    warnings: list[str] = []
    if s.kind == "directory":
        root = _local_path(s, settings)
        if not root.is_dir():
            raise FetchError(f"no such folder: {root}")
        files = sorted(p for p in root.glob(s.pattern) if p.is_file() and _kind_for(p))
        if as_of is not None:
            files = [p for p in files if as_of.isoformat() in p.name]
        res.url = root.as_uri()
        bodies = [(p, read_local(p, settings.fetch.max_bytes)) for p in files]
        res.etag = _local_validator(s, [(p.name, got.body) for p, got in bodies])
        if etag and res.etag == etag:
            res.status = "not_modified"  # no file added, changed or removed since the last run
            return
        for p, got in bodies:
            res.bytes += len(got.body)
            try:
                parsed = _parse(_kind_for(p), got, tz)
            except NotAFeed as e:
                warnings.append(f"{p.name}: {e}")
                continue
            for it in parsed.items:  # keys must be unique across the folder's files
                it.key = f"{p.name}:{it.key}" if it.key else None
                it.parent_key = f"{p.name}:{it.parent_key}" if it.parent_key else None
            parsed_all += parsed.items
            warnings += [f"{p.name}: {parsed.warning}"] if parsed.warning else []
            res.notes += [f"{p.name}: {n}" for n in parsed.notes]
    else:
        if _is_local(s):
            got = read_local(_local_path(s, settings), settings.fetch.max_bytes)
            got.etag = _local_validator(s, [("", got.body)])
            got.not_modified = bool(etag) and got.etag == etag
        else:
            got = fetch_url(s.url, settings.fetch, etag=etag, last_modified=last_modified)
        res.url, res.http_status, res.bytes = got.url, got.http_status, len(got.body)
        res.etag, res.last_modified = got.etag, got.last_modified
        res.notes += got.notes
        if got.not_modified:
            res.status = "not_modified"
            return
        parsed = _parse(s.kind, got, tz)
        parsed_all, res.notes = parsed.items, res.notes + parsed.notes
        warnings += [parsed.warning] if parsed.warning else []
        if s.kind == "feed" and s.follow_links and not _is_local(s):
            _follow_links(parsed_all, settings, res.notes, tz)
    from ingest.articles import to_article
    for it in parsed_all:
        row = to_article(it, s.name, fetched_at, default_pub, lang=s.lang, locale=s.locale)
        if row:
            res.articles.append(row)
    dropped = len(parsed_all) - len(res.articles)
    if dropped:
        res.notes.append(f"{dropped} item(s) without text skipped")
    if warnings:
        res.status, res.error = "partial", "; ".join(warnings)[:1000]


def _local_validator(s: SourceConfig, files: list[tuple[str, bytes]]) -> str:
    """A local source's ETag: a hash of its files' names and bytes, how it is read and the parser
    version. An unchanged file is not parsed again; any change to the file or the parsing is."""
    h = hashlib.sha256(f"{PARSER_VERSION}\0{s.kind}\0{s.lang}\0{s.timezone}\0{s.locale}\0{s.published}\0".encode())
    for name, body in files:
        h.update(name.encode() + b"\0" + hashlib.sha256(body).digest())
    return f"local:{h.hexdigest()[:32]}"


def fetch_all(sources: list[SourceConfig], settings: Settings, validators: list[tuple], replay_day=None
              ) -> list[SourceResult]:
    """Fetch every source with `fetch.concurrency` threads; results in the sources' order.
    `replay_day` (backfill only): read just that day's files from folders."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=max(1, settings.fetch.concurrency)) as pool:
        return list(pool.map(lambda sv: fetch_source(sv[0], settings, *sv[1], replay_day=replay_day),
                             zip(sources, validators, strict=True)))
