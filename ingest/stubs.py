"""Is a page's text its story, or only its title or a teaser in front of a paywall?

Such a page is recorded as a `partial` fetch with the reason, not stored as an article: a
headline plus "subscribe to read" would otherwise become an article whose numbers are the
teaser's, and its content hash would stand in for the real story when it arrives.
"""
from __future__ import annotations

import re
import unicodedata

from ingest.pagerules import page_rules

_NOT_WORD = re.compile(r"[\W_]+")


def _norm(s: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", s).casefold())


def _phrases_in(text: str) -> list[str]:
    folded = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    return [p for p in page_rules()["paywall_phrases"] if p.casefold() in folded]


def paywall_signs(text: str, tokens: set[str], ld_objects: list[dict]) -> list[str]:
    """What says the story is behind a paywall: a paywall phrase in the page's visible `text`
    (trafilatura often leaves the barrier's heading out of the main text), a paywall class/id,
    JSON-LD `isAccessibleForFree: false`."""
    signs = [f"'{p}'" for p in _phrases_in(text)]
    signs += [f"class/id '{t}'" for t in page_rules()["paywall_tokens"] if t in tokens]
    if any(str(o.get("isAccessibleForFree", "")).strip().lower() == "false" for o in ld_objects):
        signs.append("isAccessibleForFree: false")
    return signs


def without_title(text: str, title: str | None) -> str:
    """The text without the headline it starts with (the title is stored on its own), nor a
    short section label above it ("Data Center", then the headline)."""
    t = _norm(title or "")
    lines = text.splitlines()
    for i, line in enumerate(lines[:3]):
        if t and (n := _norm(line)) and n in t:
            return "\n".join(lines[i + 1:])
        if len(line) > 40:
            break
    return text


def before_paywall(text: str) -> str:
    """The lines before the first one holding a paywall phrase: what the paywall leaves visible."""
    lines = text.splitlines()
    cut = next((i for i, line in enumerate(lines) if _phrases_in(line)), len(lines))
    return "\n".join(lines[:cut])


def stub_reason(text: str, title: str | None, signs: list[str]) -> str | None:
    """Why this page's text is not an article, or None when it is one.

    >>> stub_reason("Chip prices\\nMemory makers raised prices.\\nSubscribe to read the rest", "Chip prices",
    ...             ["'subscribe to read'"])
    "paywall stub: 24 characters before the paywall, and 'subscribe to read'"
    """
    r = page_rules()
    body = without_title(text, title).strip()
    if len(_norm(body)) <= r["title_only_chars"]:
        return "page has only its title" if title else "page has no text"
    visible = len(_norm(before_paywall(body)))
    if signs and visible <= r["stub_chars"]:
        return f"paywall stub: {visible} characters before the paywall, and {', '.join(signs[:3])}"
    return None
