"""spaCy component `tw_sentences`: sentence boundaries for Chinese and English news.

Splits after 。！？；!? ; and newlines, after '.' followed by a space (so 4.38 and U.S. survive),
and at the `--` that briefings use between stories. A closing quote stays with its sentence.
Boundaries are found with one regex over the text and mapped to tokens with a binary search:
a Python loop over every token would cost as much as the tokenizer.
"""
from __future__ import annotations

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from extractors.patterns import load

_BOUNDARY = load("sentences").regex("sentence_boundary")
_SOFT = load("sentences").regex("soft_break")
MAX_SENTENCE = 1000  # characters; a longer "sentence" (a table flattened into one line) is cut


@Language.factory("tw_sentences")
def make_sentences(nlp: Language, name: str) -> Sentences:
    return Sentences()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, whitespace trimmed."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out += _bounded(text, s, e)
    return out


def _bounded(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """(s, e) as pieces of at most MAX_SENTENCE characters, cut after the last comma or
    semicolon of each piece (or hard, when it has none): the rules read one piece at a time,
    so 12,000 numbers in one unterminated sentence cost 12,000 small reads, not one huge one."""
    pieces = []
    while e - s > MAX_SENTENCE:
        cut = max((m.end() for m in _SOFT.finditer(text, s + MAX_SENTENCE // 2, s + MAX_SENTENCE)),
                  default=s + MAX_SENTENCE)
        pieces.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if e > s:
        pieces.append((s, e))
    return pieces


class Sentences:
    def __call__(self, doc: Doc) -> Doc:
        spans = sentence_spans(doc.user_data.get("tw_text") or doc.text)
        doc.user_data["tw_sentences"] = spans  # the claims component reads these directly
        if len(doc) == 0:
            return doc
        starts = doc.to_array([IDX]).reshape(-1)
        first = np.searchsorted(starts, [s for s, _ in spans], side="right") - 1
        flags = np.full(len(doc), -1, dtype="int32")  # spaCy: 1 starts a sentence, -1 does not
        flags[first[(first >= 0) & (first < len(doc))]] = 1
        flags[0] = 1
        # One array write: setting Token.is_sent_start one by one rescans the doc each time.
        doc.from_array([SENT_START], flags.reshape(-1, 1).astype("uint64"))
        return doc
