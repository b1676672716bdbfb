"""What a page states about itself for machines and readers: JSON-LD objects, date meta tags,
<time> elements, its <h1> and <title>. Read from the lxml tree before trafilatura changes it.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from ingest.pagerules import page_rules

_META_DATES = ("article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate",
               "date", "dc.date", "dc.date.issued", "publish-date")


@dataclass
class Stated:
    ld_objects: list[dict] = field(default_factory=list)  # every JSON-LD object, @graph members too
    article: dict = field(default_factory=dict)  # the first *Article / *Posting object
    meta_dates: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)  # <time datetime>, then <time> texts
    h1: str | None = None
    headline: str | None = None  # the heading the page's <title> is made of, else its <h1>
    dateline: str | None = None  # the first date written after that heading
    og_title: str | None = None
    title: str | None = None  # <title>


def _clean(s: str | None) -> str | None:
    s = " ".join((s or "").split())
    return s or None


def ld_objects(tree: HtmlElement) -> list[dict]:
    out: list[dict] = []
    for raw in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(raw)
        except (ValueError, TypeError, RecursionError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if isinstance(obj, dict):
                out.append(obj)
                graph = obj.get("@graph")
                stack += graph if isinstance(graph, list) else []
    return out


def _is_article(obj: dict) -> bool:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and (k.endswith("Article") or k.endswith("Posting")) for k in kinds)


def names(value) -> str | None:
    """A JSON-LD author as text: a string, a Person, or a list of them joined by '; '.

    >>> names([{"@type": "Person", "name": "Nora Feld"}, {"name": "Sam Okafor"}])
    'Nora Feld; Sam Okafor'
    """
    items = value if isinstance(value, list) else [value]
    found = [v.get("name") if isinstance(v, dict) else v for v in items]
    found = [n.strip() for n in found if isinstance(n, str) and n.strip()]
    return "; ".join(found) or None


def _meta_dates(tree: HtmlElement) -> list[str]:
    out = []
    for name in _META_DATES:
        for attr in ("property", "name", "itemprop"):
            out += tree.xpath(f"//meta[@{attr}=$v]/@content", v=name)
    return [v for v in out if v.strip()]


def _key(s: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", s).casefold())


_SITE_SUFFIX = re.compile(r"\s*(?:\||｜|--?|–|—|_|::)\s*[^|｜–—_]{1,40}$")


def _headline(tree: HtmlElement, titles: list[str]) -> HtmlElement | None:
    """The longest <h1>-<h3> whose text the <title> or og:title holds (a title is the headline
    plus the site's name), else the first <h1> with text; on a page without headings, the
    element whose text is the <title> without its site suffix ("Story--Site")."""
    keys = [_key(t) for t in titles if t]
    best, best_len = None, 0
    for h in tree.iter("h1", "h2", "h3"):
        k = _key(h.text_content())
        if len(k) > best_len and any(k in t for t in keys):
            best, best_len = h, len(k)
    best = best if best is not None else next((h for h in tree.iter("h1") if _clean(h.text_content())), None)
    if best is not None:
        return best
    heads = {_key(_SITE_SUFFIX.sub("", t)) for t in titles if t and _SITE_SUFFIX.search(t)} - {""}
    for text in tree.xpath("//body//text()[not(ancestor::script or ancestor::style)]") if heads else []:
        if not text.is_tail and _key(text) in heads:
            return text.getparent()
    return None


@functools.cache
def _dateline_patterns() -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in page_rules()["dateline_patterns"]), re.I)


def _first_date(nodes, budget: int, pattern: re.Pattern) -> str | None:
    for node in nodes:
        if isinstance(node, str):
            if m := pattern.search(node):
                return m.group(0)
            budget -= len(node.strip())
            if budget <= 0:
                return None
        elif getattr(node, "tag", None) == "time" and (node.get("datetime") or "").strip():
            return node.get("datetime").strip()
    return None


def dateline(heading: HtmlElement) -> str | None:
    """The first date after the headline, within `dateline_chars` of text: a <time datetime>,
    or a date written in the text (the byline's "Posted: Thursday, November 6, 2025 5:48 PM PST",
    "2025年11月26日 10:08"); else the nearest such date above it (a print edition's "2025年12月16日
    星期二" over the headline). Related-story lists and teaser cards further away do not count."""
    budget, pattern = page_rules()["dateline_chars"], _dateline_patterns()
    skip = "[not(ancestor-or-self::script or ancestor-or-self::style or ancestor-or-self::head)]"
    after = heading.xpath(f"following::node()[position() <= 400]{skip}")
    before = heading.xpath(f"preceding::node()[position() <= 400]{skip}")[::-1]  # nearest first
    return _first_date(after, budget, pattern) or _first_date(before, budget, pattern)


def read_stated(tree: HtmlElement) -> Stated:
    objects = ld_objects(tree)
    h1 = next((t for t in (_clean(h.text_content()) for h in tree.iter("h1")) if t), None)
    og = tree.xpath("//meta[@property='og:title']/@content")
    title = tree.find(".//title")
    heading = _headline(tree, [og[0] if og else "", title.text_content() if title is not None else ""])
    times = [t.strip() for t in tree.xpath("//time/@datetime") if t.strip()]
    times += [t for t in (_clean(el.text_content()) for el in tree.iter("time")) if t]
    return Stated(ld_objects=objects, article=next((o for o in objects if _is_article(o)), {}),
                  meta_dates=_meta_dates(tree), times=times, h1=h1, og_title=_clean(og[0]) if og else None,
                  headline=_clean(heading.text_content()) if heading is not None else None,
                  dateline=dateline(heading) if heading is not None else None,
                  title=_clean(title.text_content()) if title is not None else None)
