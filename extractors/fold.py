"""Script folding: Traditional -> Simplified with OpenCC, keeping every character offset.

Matching runs on folded text while spans and quotes refer to the original, so folding must
keep the length. OpenCC's phrase conversions almost always do; when a conversion would change
the length we fall back to converting character by character.
"""
from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_t2s = opencc.OpenCC("t2s")
_s2t = opencc.OpenCC("s2t")


@functools.lru_cache(maxsize=65536)
def _char_t2s(ch: str) -> str:
    out = _t2s.convert(ch)
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> str:
    """Simplified-script text of exactly the same length as `text`.

    >>> to_simplified("輝達市值蒸發逾7000億美元")
    '辉达市值蒸发逾7000亿美元'
    """
    out = _t2s.convert(text)
    if len(out) == len(text):
        return out
    return "".join(_char_t2s(c) for c in text)


def to_traditional(text: str) -> str:
    return _s2t.convert(text)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def detect_lang(text: str, sample: int = 3000) -> str:
    """'zh-Hant', 'zh-Hans' or 'en' from the text itself."""
    s = text[:sample]
    cjk = sum(1 for c in s if _is_cjk(c))
    latin = sum(1 for c in s if c.isascii() and c.isalpha())
    if cjk == 0 or cjk * 3 < latin:  # a CJK character carries about a word
        return "en"
    simp = to_simplified(s)
    trad = to_traditional(s)
    n_trad = sum(1 for a, b in zip(s, simp, strict=True) if a != b)  # characters that only exist in Traditional
    n_simp = sum(1 for a, b in zip(s, trad, strict=True) if a != b) if len(trad) == len(s) else 0
    return "zh-Hant" if n_trad > n_simp else "zh-Hans"


# Punctuation, symbols, whitespace and control characters: everything but letters and digits.
_NOT_WORD = re.compile(r"[\W_]+")


def normalize_for_hash(text: str) -> str:
    """Fold script, width and case; drop whitespace and punctuation.

    The same story in Traditional and Simplified script, or with full-width punctuation,
    normalises to the same string.
    """
    t = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    return _NOT_WORD.sub("", t)
