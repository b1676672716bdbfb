"""Hostile article text: bounded work and bounded rows, whatever the text holds.
(Speed is measured by bench/run.py and /tmp-free probes, never asserted here: these tests check
the bounds that make it fast.)"""
from __future__ import annotations

import pytest

from extractors.components.sentences import MAX_SENTENCE, sentence_spans
from extractors.isolate import extract_isolated
from extractors.pipeline import EXCERPT, MAX_CLAIMS, RUN, ExtractionBudget, Extractor, defuse


@pytest.fixture(scope="module")
def ex():
    return Extractor()


@pytest.mark.parametrize("text", ["(" * 5000 + "x", "7" * 1000, "。" * 300, "abc" * 100, "a b" * 200, "輝達" * 300])
def test_defuse_keeps_the_length_and_cuts_only_long_runs(text):
    out = defuse(text)
    assert len(out) == len(text)
    runs = [r for r in out.split() if r]
    assert all(len(r) <= RUN or any("\u4e00" <= ch <= "\u9fff" for ch in r) or "。" in r for r in runs)
    if " " in text or all("\u4e00" <= ch <= "\u9fff" for ch in text):
        assert out == text  # ordinary text is untouched


def test_a_sentence_without_an_end_is_read_in_bounded_pieces():
    text = "，".join(f"第{i}項" for i in range(2000)) + "。"
    spans = sentence_spans(text)
    assert len(spans) > 1 and all(e - s <= MAX_SENTENCE for s, e in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)


def test_a_claims_sentence_is_an_excerpt_around_its_number(ex):
    text = "輝達" + "，".join(["營收成長"] * 400) + "，市值達5兆美元，" + "，".join(["股價上漲"] * 400) + "。"
    claims = ex.extract(text)["claims"]
    assert claims and all(len(c["sentence"]) <= 2 * EXCERPT + len(c["quote"]) for c in claims)
    assert all(c["quote"] in c["sentence"] for c in claims)


def test_numbers_too_long_to_be_real_are_no_claims(ex):
    for text in ("營收" + "9" * 400 + "億元", "Revenue was $" + "1,000," * 300 + " in total.", "x" + "9" * 500):
        for c in ex.extract(text)["claims"]:
            assert abs(c["value"]) < float("inf") and abs(c["value"]) < 1e30, c


def test_an_article_with_too_many_claims_is_recorded_not_read(ex):
    crowded = "，".join(f"營收{i}億元" for i in range(MAX_CLAIMS + 10)) + "。"
    with pytest.raises(ExtractionBudget, match=r"over the budget of 3000"):
        ex.extract(crowded)
    rows = extract_isolated(ex, [{"article_id": "a1", "text": crowded, "lang": "zh-Hant"},
                                 {"article_id": "a2", "text": "台積電營收達新台幣3,000億元。", "lang": "zh-Hant"}])
    by_id = {r["article_id"]: r for r in rows}
    assert "over the budget" in by_id["a1"]["error"] and by_id["a1"]["claims"] == []
    assert by_id["a2"].get("error") is None and by_id["a2"]["claims"]
