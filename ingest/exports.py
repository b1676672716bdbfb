"""Plain-text exports in the seed's format: `#TAG`, then a title line and a body line per article.

The body ends with the publisher in parentheses. A morning briefing that bundles stories with
`--` separators is kept as a bundle and split into stories that point back at it.
"""
from __future__ import annotations

import re

from ingest.items import Item, Parsed

_PUBLISHER = re.compile(r"\s*[（(]\s*([^（）()]{1,40}?)\s*[)）]\s*$")
_SEPARATOR = re.compile(r"\s*--\s*")
_FIRST_CLAUSE = re.compile(r"^(.{4,60}?)(?:[，,。：:；;！？]|$)")


def split_stories(body: str) -> list[str]:
    """Stories of a bundled briefing, or [] when the body is one story."""
    parts = [p.strip() for p in _SEPARATOR.split(body) if p.strip()]
    return parts if len(parts) >= 3 else []


def _story_title(text: str) -> str:
    m = _FIRST_CLAUSE.match(text)
    return (m.group(1) if m else text[:40]).strip()


def parse_export(text: str) -> Parsed:
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        return Parsed(warning="empty export")
    tag = None
    if lines[0].startswith("#"):
        tag, lines = lines[0][1:].strip() or None, lines[1:]
    warning = None
    if len(lines) % 2:
        warning = f"line {len(lines) + 1 + (tag is not None)}: a title without a body was skipped"
        lines = lines[:-1]
    items: list[Item] = []
    for n in range(0, len(lines), 2):
        title, body = lines[n], lines[n + 1]
        publisher = None
        m = _PUBLISHER.search(body)
        if m:
            publisher, body = m.group(1).strip(), body[:m.start()].rstrip()
        key = f"export:{n // 2 + 1}"
        stories = split_stories(body)
        items.append(Item(title=title, text=body, publisher=publisher, tag=tag, key=key,
                          is_bundle=bool(stories)))
        for i, story in enumerate(stories, 1):
            items.append(Item(title=_story_title(story), text=story, publisher=publisher, tag=tag,
                              key=f"{key}.{i}", parent_key=key))
    return Parsed(items=items, warning=warning)
