"""Is a page's text its story, or only its title or a teaser behind a paywall?

Such a page is recorded as a `partial` fetch with the reason, not stored as an article: a
headline plus "subscribe to read" would otherwise become an article whose numbers are the
teaser's, and its content hash would stand in for the real story when it arrives.
"""
from __future__ import annotations

import re
import unicodedata

from ingest.maintext import rules

_NOT_WORD = re.compile(r"[\W_]+")


def _norm(s: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", s).casefold())


def paywall_signs(visible: str, tokens: set[str], ld_objects: list[dict]) -> list[str]:
    """What on the page says the story is behind a paywall: phrases in its visible text,
    paywall class/id names, JSON-LD `isAccessibleForFree: false`."""
    r = rules()
    text = " ".join(visible.split()).casefold()
    signs = [f"'{p}'" for p in r["paywall_phrases"] if p.casefold() in text]
    signs += [f"class/id '{t}'" for t in r["paywall_tokens"] if t in tokens]
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


def stub_reason(text: str, title: str | None, signs: list[str]) -> str | None:
    """Why this page's text is not an article, or None when it is one.

    >>> stub_reason("Chip prices\\nMemory makers raised prices.", "Chip prices", ["'subscribe to read'"])
    "paywall stub: 28 characters of text besides the title, and 'subscribe to read'"
    """
    r = rules()
    body = without_title(text, title).strip()
    if len(_norm(body)) <= r["title_only_chars"]:
        return "page has only its title" if title else "page has no text"
    if signs and len(body) <= r["stub_chars"]:
        return f"paywall stub: {len(body)} characters of text besides the title, and {', '.join(signs[:3])}"
    return None
