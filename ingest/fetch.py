"""Fetch bytes from http(s) URLs and configured local paths, with caps, retries and conditional GET.

Transient failures (timeouts, connection errors, 5xx, 429) are retried with backoff; terminal
ones (4xx, a body over the cap, a redirect loop) are not. Either way the caller gets an
exception whose message is fit for a fetch row.
"""
from __future__ import annotations

import email.utils
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx

from common.exceptions import TerminalException, ThesiswatchError, TransientException

if TYPE_CHECKING:  # settings are passed down by flows/; only their types are named here
    from flows.config import FetchSettings


class FetchError(ThesiswatchError):
    """A source that could not be fetched; the reason is recorded on its fetch row."""


class TerminalFetchError(FetchError, TerminalException):
    """Retrying now will not help (404, a refused scheme, a body over the cap)."""


class TransientFetchError(FetchError, TransientException):
    """A failure worth retrying (timeout, 5xx, 429)."""

    def __init__(self, msg: str, retry_after: float | None = None):
        super().__init__(msg)
        self.retry_after = retry_after


class SlowBody(TransientFetchError):
    """The body was still arriving when the attempt's time was up (a server that drips)."""


@dataclass
class Fetched:
    url: str
    body: bytes = b""
    http_status: int | None = None
    content_type: str | None = None
    content_location: str | None = None  # the Content-Location header: a base for relative links
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    attempts: int = 1
    notes: list[str] = field(default_factory=list)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def read_local(path: Path, max_bytes: int) -> Fetched:
    """Read a file the config names; the same size cap applies."""
    if not path.is_file():
        raise TerminalFetchError(f"no such file: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise TerminalFetchError(f"body of {size} bytes is over the {_mb(max_bytes)} cap")
    return Fetched(url=path.as_uri(), body=path.read_bytes())


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise TerminalFetchError(f"refused URL scheme {scheme or '(none)'!r}: only http and https are fetched")


def _get_once(client: httpx.Client, url: str, headers: dict, s: FetchSettings, deadline: float) -> Fetched:
    """One GET following redirects by hand, so each hop's scheme is checked; the body must be
    in by `deadline` (time.monotonic())."""
    seen: list[str] = []
    while True:
        _check_scheme(url)
        if url in seen or len(seen) > s.max_redirects:
            raise TerminalFetchError(f"redirect loop or more than {s.max_redirects} redirects at {url}")
        seen.append(url)
        left = max(0.1, deadline - time.monotonic())  # no single read may outlast the deadline
        timeout = httpx.Timeout(min(s.read_timeout, left), connect=min(s.connect_timeout, left))
        with client.stream("GET", url, headers=headers, timeout=timeout) as r:
            status = r.status_code
            if status in (301, 302, 303, 307, 308):
                if not r.headers.get("location"):
                    raise TerminalFetchError(f"HTTP {status} redirect without a Location header")
                url = urljoin(url, r.headers["location"])
                continue
            if status == 304:
                return Fetched(url=url, http_status=304, not_modified=True,
                               etag=r.headers.get("etag"), last_modified=r.headers.get("last-modified"))
            if status == 429 or status >= 500:
                raise TransientFetchError(f"HTTP {status}", _retry_after(r.headers.get("retry-after")))
            if status >= 400:
                raise TerminalFetchError(f"HTTP {status}")
            declared = r.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > s.max_bytes:
                raise TerminalFetchError(f"body of {declared} bytes is over the {_mb(s.max_bytes)} cap")
            buf = _read_capped(r, s.max_bytes, deadline, s)
            return Fetched(url=url, body=bytes(buf), http_status=status,
                           content_type=r.headers.get("content-type"),
                           content_location=r.headers.get("content-location"),
                           etag=r.headers.get("etag"), last_modified=r.headers.get("last-modified"))


def _decoder(encoding: str):
    """A zlib decompressor for gzip/deflate, or None for identity."""
    enc = (encoding or "identity").strip().lower()
    if enc in ("", "identity"):
        return None
    if enc in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if enc == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)
    raise TerminalFetchError(f"unsupported Content-Encoding {enc!r}")


def _read_capped(r: httpx.Response, max_bytes: int, deadline: float, s: FetchSettings) -> bytearray:
    """Read and decompress the body, never holding more than the cap: a gzip bomb is stopped
    while it inflates, not after."""
    dec = _decoder(r.headers.get("content-encoding", ""))
    buf = bytearray()
    for raw in r.iter_raw():
        if dec is None:
            buf += raw
        else:
            chunk = raw
            while chunk:
                try:
                    buf += dec.decompress(chunk, max_bytes + 1 - len(buf))
                except zlib.error as e:
                    raise TerminalFetchError(f"corrupt compressed body ({e})") from None
                if len(buf) > max_bytes:
                    break
                chunk = dec.unconsumed_tail
        if len(buf) > max_bytes:
            raise TerminalFetchError(f"body over the {_mb(max_bytes)} cap (stopped while reading)")
        if time.monotonic() > deadline:
            raise SlowBody("read timeout: body still arriving at the source's deadline")
    return buf


_CLIENTS: dict[str, httpx.Client] = {}


def shared_client(s: FetchSettings) -> httpx.Client:
    """One client per settings for the life of the process: building one (its TLS context)
    costs tens of milliseconds, more than a 304. httpx clients are safe to share across threads."""
    key = s.model_dump_json()
    if key not in _CLIENTS:
        _CLIENTS[key] = make_client(s)
    return _CLIENTS[key]


def make_client(s: FetchSettings) -> httpx.Client:
    timeout = httpx.Timeout(s.read_timeout, connect=s.connect_timeout)
    return httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False,
                        headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"})


def fetch_url(url: str, s: FetchSettings, etag: str | None = None, last_modified: str | None = None,
              client: httpx.Client | None = None, sleep=time.sleep) -> Fetched:
    """GET `url` with retries on transient failures, all within one deadline for the source
    (`s.deadline` seconds), so one slow server cannot hold the morning. A read timeout is
    retried at most once: a server that was slow once is usually slow again. Raises FetchError
    when it gives up."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    client = client or shared_client(s)
    notes: list[str] = []
    start = time.monotonic()
    deadline = start + s.deadline
    read_timeouts = 0
    for attempt in range(s.retries + 1):
        try:
            attempt_deadline = min(deadline, time.monotonic() + s.read_timeout * 4 + s.connect_timeout)
            got = _get_once(client, url, headers, s, attempt_deadline)
            got.attempts, got.notes = attempt + 1, notes
            return got
        except (ValueError, httpx.InvalidURL) as e:
            raise TerminalFetchError(f"invalid URL: {str(e)[:120]}") from None
        except (TransientFetchError, httpx.TimeoutException, httpx.TransportError) as e:
            reason = _describe(e)
            wait = s.backoff * (2 ** attempt)
            if isinstance(e, TransientFetchError) and e.retry_after is not None:
                if e.retry_after > s.max_retry_after:
                    raise TerminalFetchError(f"{reason}, Retry-After {e.retry_after:.0f} s is over the "
                                     f"{s.max_retry_after:.0f} s cap; will try again next run") from None
                wait = max(wait, e.retry_after)
            slow = isinstance(e, (httpx.ReadTimeout, SlowBody))
            read_timeouts += slow
            out_of_time = time.monotonic() + wait >= deadline
            if attempt == s.retries or (slow and read_timeouts > 1) or out_of_time:
                why = f" within the source's {s.deadline:.0f} s deadline" if out_of_time else ""
                raise TransientFetchError(f"{reason} (after {attempt + 1} attempt{'s' if attempt else ''}{why})"
                                          ) from None
            notes.append(f"attempt {attempt + 1}: {reason}")
            sleep(wait)
    raise AssertionError("unreachable")


def _describe(e: Exception) -> str:
    if isinstance(e, httpx.ReadTimeout):
        return "read timeout"
    if isinstance(e, httpx.ConnectTimeout):
        return "connect timeout"
    if isinstance(e, httpx.TimeoutException):
        return "timeout"
    if isinstance(e, httpx.ConnectError):
        return f"connection failed: {str(e) or type(e).__name__}"
    if isinstance(e, httpx.TransportError):
        return f"transport error: {str(e) or type(e).__name__}"
    return str(e)
