"""The unit that flows from a parser to the loader: one news item as a source delivered it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from common.exceptions import TerminalException, ThesiswatchError


class NotAFeed(ThesiswatchError, TerminalException):
    """The body is not RSS or Atom (raised by ingest.feeds; defined here so that catching it
    does not import the feed parser)."""


@dataclass
class Item:
    title: str
    text: str
    url: str | None = None
    guid: str | None = None
    published_at: datetime | None = None  # UTC, naive
    publisher: str | None = None
    tag: str | None = None
    key: str | None = None  # stable position key when there is no URL or GUID
    parent_key: str | None = None  # a story split out of a bundle points at the bundle
    is_bundle: bool = False
    needs_page: bool = False  # the feed gave only a summary; fetch `url` for the full text


@dataclass
class Parsed:
    """What one source yielded: items, plus a parser complaint when it was not clean."""
    items: list[Item] = field(default_factory=list)
    warning: str | None = None  # makes the fetch "partial"
    notes: list[str] = field(default_factory=list)  # informational: charset used, DTD removed
