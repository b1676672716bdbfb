"""Main text of an article page: trafilatura on a tree without the page's named furniture,
and a beautifulsoup4 reading of the story element when trafilatura finds nothing.

Text never gains a space at an inline tag (新台幣<b>7,597</b>億元 stays 新台幣7,597億元);
<br> and block elements end a line.
"""
from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import trafilatura
import yaml
from bs4 import BeautifulSoup, NavigableString, Tag
from lxml.html import HtmlElement
from trafilatura.settings import DEFAULT_CONFIG
from trafilatura.utils import load_html

_DATA = Path(__file__).parent / "data" / "pages.yaml"
_PARTS = re.compile(r"[-_]")

# Measured on the page corpus (tests/pages, F1 over its with/without snippets; see
# tests/test_pages.py) and on our own cases in tests/test_pages.py:
# - favor_precision: drops the in-story promo lines and "read next" blocks that balanced
#   mode keeps, and still finds every story paragraph; favor_recall brings back link lists.
# - include_comments=False: reader comments are not the story.
# - include_tables=True: figures in news tables (capex by company, export orders by month)
#   are claims; the table text is kept one row per line.
# - deduplicate is off: trafilatura's cache is process-wide, so a page fetched again in a
#   long-running `serve` would come back empty as a "duplicate document".
# - MIN_EXTRACTED_SIZE 250 -> 120: below it trafilatura tries its fallback extractors, which
#   on a short Chinese story (120 characters is a full paragraph) mostly add page furniture.
OPTIONS = {"favor_precision": True, "include_comments": False, "include_tables": True,
           "deduplicate": False, "include_links": False, "include_images": False}
MIN_EXTRACTED_SIZE = 120


@functools.cache
def rules() -> dict:
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


@functools.cache
def _config():
    config = copy.deepcopy(DEFAULT_CONFIG)
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(MIN_EXTRACTED_SIZE))
    return config


@dataclass
class Extracted:
    text: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD, htmldate's reading of the page


def parse_tree(html: str) -> HtmlElement | None:
    """The page as an lxml tree (trafilatura's own loader), None when it is not HTML."""
    try:
        return load_html(html)
    except (ValueError, TypeError):
        return None


def visible_text(tree: HtmlElement) -> str:
    return " ".join(tree.xpath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
                               " or ancestor::template)]"))


def _is_clutter_name(tokens: list[str]) -> bool:
    r = rules()
    words, whole = set(r["clutter_words"]), set(r["clutter_tokens"])
    for token in tokens:
        t = token.lower()
        if t in whole or _PARTS.split(t, 1)[0] in words:
            return True
    return False


def prune_clutter(tree: HtmlElement) -> int:
    """Remove elements named as furniture by class or id (see pages.yaml); how many went.
    Never <html> or <body>, never an element holding a large share of the page's text."""
    total = len(visible_text(tree)) or 1
    share = rules()["max_clutter_share"]
    removed = 0
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.tag in ("html", "body") or el.getparent() is None:
            continue
        tokens = (el.get("class") or "").split() + (el.get("id") or "").split()
        if not tokens or not _is_clutter_name(tokens):
            continue
        if len(el.text_content() or "") >= share * total:
            continue
        el.drop_tree()  # keeps the tail text, which belongs to the parent
        removed += 1
    return removed


def with_trafilatura(tree: HtmlElement, url: str | None) -> Extracted:
    doc = trafilatura.bare_extraction(tree, url=url, with_metadata=True, config=_config(), **OPTIONS)
    if doc is None:
        return Extracted()
    return Extracted(text=doc.text or "", title=doc.title, author=doc.author, date=doc.date)


# --- the beautifulsoup4 fallback ---------------------------------------------------------

_DROP = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
         "button", "template", "figure"]
BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                    "tr", "table", "section", "article", "main", "pre", "hr", "dd", "dt", "dl",
                    "figcaption", "header", "footer", "aside", "nav", "form", "address", "td", "th"})


def block_text(root: Tag) -> str:
    """Text of an element with a line break at every block element and <br>, none at inline tags."""
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, CDATA or doctype
                    parts.append(str(child))
            elif isinstance(child, Tag):
                block = child.name in BLOCKS
                if block:
                    parts.append("\n")
                walk(child)
                if block:
                    parts.append("\n")

    walk(root)
    lines = (" ".join(ln.split()) for ln in "".join(parts).split("\n"))
    return "\n".join(ln for ln in lines if ln)


def _story_root(soup: BeautifulSoup) -> Tag:
    """The <article> or <main> with the most text, else the block holding the most paragraph text."""
    best, best_len = None, 0
    for cand in soup.find_all(["article", "main"]):
        n = len(cand.get_text(strip=True))
        if n > best_len:
            best, best_len = cand, n
    if best is not None:
        return best
    best, best_len = soup.body or soup, 0
    for cand in soup.find_all(["div", "section", "td"]):
        n = sum(len(p.get_text(strip=True)) for p in cand.find_all("p", recursive=False))
        n += sum(len(s.strip()) for s in cand.find_all(string=True, recursive=False))  # text + <br> stories
        if n > best_len:
            best, best_len = cand, n
    return best


def with_soup(soup: BeautifulSoup) -> str:
    """The fallback: drop furniture tags and named clutter, then the story element's text."""
    for tag in soup.find_all(_DROP):
        tag.decompose()
    limit = rules()["max_clutter_share"] * (len(soup.get_text()) or 1)
    for tag in [t for t in soup.find_all(True) if t.name not in ("html", "body")]:
        if tag.decomposed or tag.attrs is None:
            continue
        tokens = list(tag.get("class") or []) + (tag.get("id") or "").split()
        if tokens and _is_clutter_name(tokens) and len(tag.get_text()) < limit:
            tag.decompose()
    return block_text(_story_root(soup))
