"""What is done to a page's lxml tree before trafilatura reads it: two shapes of page that
trafilatura's own rules get wrong, each corrected in general terms (see ingest/data/pages.yaml
for the shares and what they were measured on).

- A wrapper named like clutter. trafilatura drops elements whose class or id reads as page
  furniture (`share-widget-host`, `viewport`, `ad-sticky-right`), but reverts all of that
  pruning when it would take most of the page's text; so one such name on the element that
  holds the story keeps every footer and QR-code line in the text. The names trafilatura would
  read as furniture are taken off such wrappers, and only off them.
- A teaser card: a short <article> whose headline links to another story, placed before the
  real one; trafilatura takes the first <article> as the story.
"""
from __future__ import annotations

import functools

from lxml import html as lxml_html
from lxml.html import HtmlElement
from trafilatura import xpaths
from trafilatura.utils import load_html

from ingest.pagerules import page_rules

# trafilatura's own clutter vocabulary, as the extraction runs with include_comments off
_CLUTTER_XPATHS = [*xpaths.OVERALL_DISCARD_XPATH, *xpaths.TEASER_DISCARD_XPATH, *xpaths.REMOVE_COMMENTS_XPATH,
                   *getattr(xpaths, "REMOVE_COMMENTS_AND_LISTS_XPATH", [])]  # the latter since trafilatura 2.1
_FILLER = "qqfill"  # a token no rule names, so an in-the-middle match (" ad ") can be tested
_HEADINGS = ("h1", "h2", "h3", "h4")


def parse_tree(markup: str) -> HtmlElement | None:
    """The page as an lxml tree (trafilatura's own loader), None when it is not HTML."""
    try:
        return load_html(markup)
    except (ValueError, TypeError):
        return None


def text_length(el: HtmlElement) -> int:
    """Characters of visible text under `el`, whitespace not counted."""
    texts = el.xpath(".//text()[not(ancestor::script or ancestor::style or ancestor::template)]")
    return sum(len("".join(t.split())) for t in texts)


@functools.lru_cache(maxsize=4096)
def reads_as_clutter(attr: str, token: str) -> bool:
    """Would trafilatura drop a <div> whose `attr` (class or id) holds this one token?

    >>> reads_as_clutter("class", "share-widget-host"), reads_as_clutter("class", "article-body")
    (True, False)
    """
    def hit(value: str) -> bool:
        doc = lxml_html.fromstring("<html><body><div><div></div></div></body></html>")
        doc.find("body/div/div").set(attr, value)
        return any(len(x(doc)) for x in _CLUTTER_XPATHS)
    return hit(token) or hit(f"{_FILLER} {token} {_FILLER}")


def _first_h1(tree: HtmlElement) -> HtmlElement | None:
    return next((h for h in tree.iter("h1") if text_length(h)), None)


def unname_wrappers(tree: HtmlElement) -> int:
    """Take the clutter-sounding class/id tokens off elements that hold the story: at least
    `wrapper_share` of the page's text and, when the page has an <h1>, that heading. How many
    elements were renamed."""
    total = text_length(tree) or 1
    h1 = _first_h1(tree)
    share = page_rules()["wrapper_share"]
    renamed = 0
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "head"):
            continue
        names = {a: (el.get(a) or "").split() for a in ("class", "id")}
        clutter = {a: [t for t in toks if reads_as_clutter(a, t)] for a, toks in names.items()}
        if not any(clutter.values()):
            continue
        if h1 is not None and el is not h1 and h1 not in el.iterdescendants():
            continue
        if text_length(el) < share * total:
            continue
        for a, toks in names.items():
            if clutter[a]:
                el.set(a, " ".join(t for t in toks if t not in clutter[a]))
        renamed += 1
    return renamed


def _is_card(article: HtmlElement, h1: HtmlElement, total: int, share: float) -> bool:
    if h1 in article.iterdescendants():
        return False
    heading = next((h for h in article.iter(*_HEADINGS)), None)
    if heading is None or not heading.xpath(".//a[@href]"):
        return False
    return text_length(article) < share * total


def drop_teaser_cards(tree: HtmlElement) -> int:
    """Remove <article> cards: no <h1> of the page inside, a headline that is a link, and less
    than `card_share` of the page's text. Only on a page that has an <h1> elsewhere (without
    one there is no telling the story from a card). How many were removed."""
    h1 = _first_h1(tree)
    if h1 is None:
        return 0
    total = text_length(tree) or 1
    share = page_rules()["card_share"]
    cards = [a for a in tree.iter("article") if _is_card(a, h1, total, share)]
    for card in cards:
        if card.getparent() is not None:
            card.drop_tree()
    return len(cards)


def visible_text(tree: HtmlElement) -> str:
    """The body's text as a reader sees it, a space between text nodes (for phrase tests)."""
    return " ".join(tree.xpath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
                               " or ancestor::template)]"))
