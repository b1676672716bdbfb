"""Items become articles: clean text, detected language, canonical URL and content hash."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from extractors.fold import detect_lang, normalize_for_hash
from ingest.items import Item

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|"
                       r"_hsenc|_hsmi|ref|ref_src|cmpid|spm|share_source|from)$", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\x9f\ud800-\udfff]")  # no spaces or controls in a link
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANKS = re.compile(r"\n\s*\n+")


def canonical_url(url: str | None) -> str | None:
    """Lower-cased scheme and host, no fragment, no tracking parameters, no default port."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url.strip() or None
    host = parts.hostname.lower()
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def clean_text(text: str) -> str:
    """NFC, no control characters or lone surrogates, tidy whitespace, paragraphs kept."""
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()


def to_article(item: Item, source: str, fetched_at: datetime, default_published: datetime | None,
               lang: str | None = None, locale: str | None = None) -> dict | None:
    """An article row for the loader, or None when the item has no text worth keeping."""
    text = clean_text(item.text or "")
    title = clean_text(item.title or "")[:500]
    if not normalize_for_hash(text):
        if not normalize_for_hash(title):
            return None
        text = title
    h = content_hash(text)
    published = item.published_at or default_published
    if published and published > fetched_at:
        published = fetched_at  # a date in the future is not trusted
    raw_url = _URL_JUNK.sub("", item.url or "") or None
    guid = _CONTROL.sub("", item.guid or "").strip()
    url = canonical_url(raw_url)
    return {
        "article_id": h[:16], "content_hash": h, "source": source, "canonical_url": url,
        "title": title, "text": text, "lang": lang or detect_lang(text), "locale": locale,
        "published_at": published, "fetched_at": fetched_at, "publisher": item.publisher,
        "tag": item.tag, "parent_key": item.parent_key, "key": item.key, "is_bundle": item.is_bundle,
        "item_key": url or guid or f"sha256:{h[:16]}", "url": raw_url,
    }
