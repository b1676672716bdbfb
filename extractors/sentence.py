"""One sentence as the claim rules read it: where it lies in the text, its clauses, and the
periods, entity mentions and bare-yuan currency that the numbers inside it are read with."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import NamedTuple

from extractors.patterns import load
from extractors.periods import Period

_CLAUSE = load("sentences").regex("clause_break")


class Span(NamedTuple):
    start: int
    end: int


@dataclass
class Sentence:
    """Offsets index `text`, the whole (folded) article, so quotes and spans stay comparable."""
    text: str
    start: int
    end: int
    mentions: list[dict]  # gazetteer mentions inside the sentence, sorted by start
    periods: list[Period]  # time expressions overlapping the sentence
    yuan: str  # what a bare 元 means; an explicit 人民币/新台币 in the sentence changes it from there on
    carry: str | None = None  # the article's running subject when the sentence starts
    body: str = field(init=False)
    taken: list[Span] = field(init=False)  # entity names: a number inside one is part of the name
    has_index: bool = field(init=False)
    _break_starts: list[int] = field(init=False, repr=False)
    _break_ends: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.body = self.text[self.start:self.end]
        self.taken = [Span(m["start"], m["end"]) for m in self.mentions]
        self.has_index = any(m["type"] == "index" for m in self.mentions)
        # Clause breaks found once; each clause lookup is then a binary search.
        found = [(m.start(), m.end()) for m in _CLAUSE.finditer(self.text, self.start, self.end)]
        self._break_starts = [a for a, _ in found]
        self._break_ends = [b for _, b in found]

    def clause(self, pos: int) -> Span:
        """The clause around `pos`: from the last break ending at or before it to the next break."""
        i = bisect.bisect_right(self._break_ends, pos)
        j = bisect.bisect_left(self._break_starts, pos)
        return Span(self._break_ends[i - 1] if i else self.start,
                    self._break_starts[j] if j < len(self._break_starts) else self.end)

    def in_period(self, pos: int) -> bool:
        return any(p.start <= pos < p.end for p in self.periods)

    def in_name(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.taken)
