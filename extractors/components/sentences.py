"""spaCy component `tw_sentences`: sentence boundaries for Chinese and English news.

Splits after 。！？；!? and newlines, and after '.' only when a space or the end follows (so
4.38 and U.S. survive). Briefings glue stories together without spaces; '--' ends a sentence too.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

_ENDS = set("。！？；!?;")
_CLOSERS = {"”", "」", "\"", ")", "）", "』"}


@Language.factory("tw_sentences")
def make_sentences(nlp: Language, name: str) -> "Sentences":
    return Sentences()


class Sentences:
    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        start_next, carry = True, False
        for i, tok in enumerate(doc):
            tok.is_sent_start = True if i == 0 else start_next
            t = tok.text
            ends = (t in _ENDS or "\n" in t or "\n" in tok.whitespace_ or t == "--"
                    or (t == "." and (bool(tok.whitespace_) or i == n - 1) and not _abbrev(doc, i)))
            if ends and i + 1 < n and doc[i + 1].text in _CLOSERS:
                start_next, carry = False, True  # keep a closing quote with its sentence
            else:
                start_next, carry = ends or carry, False
        return doc


def _abbrev(doc: Doc, i: int) -> bool:
    prev = doc[i - 1].text if i > 0 else ""
    return len(prev) <= 2 and prev[:1].isupper() or prev.lower() in {"mr", "ms", "dr", "inc", "corp", "co", "no", "vs", "st", "jan", "feb", "aug", "sept", "oct", "nov", "dec"}
