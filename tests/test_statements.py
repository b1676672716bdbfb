"""Statements: who does what to whom, denied or not, how firmly. Each case is a short text of our
own with the one statement it must give; the rest checks offsets, claim links, the vocabulary's
loader, the CLI and the quality gate."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.exceptions import DataFileError
from extractors.pipeline import get_extractor
from extractors.predicates import read_predicates, vocabulary

KEYS = {"subject", "subject_text", "predicate", "object", "object_text", "qualifier", "polarity", "modality",
        "quote", "start", "end", "sentence", "sentence_start", "sentence_end", "claims"}

# (lang, text, subject, predicate, object, polarity, modality)
CASES = [
    # comparison
    ("zh-Hant", "評測顯示，AMD的MI355X在推理延遲上擊敗NVIDIA B200。", "mi355x", "outperforms", "b200", "affirmed",
     "fact"),
    ("zh-Hans", "测试显示，昇腾910C的性能与英伟达H100持平。", "ascend_910c", "matches", "h100", "affirmed", "fact"),
    ("en", "Gemini trails GPT-5 on the coding benchmark.", "gemini", "trails", "gpt_5", "affirmed", "fact"),
    # corporate
    ("zh-Hant", "超微宣布收購ZT Systems。", "amd", "acquires", "zt_systems", "affirmed", "fact"),
    ("zh-Hans", "微软与OpenAI合作开发新模型。", "microsoft", "partners_with", "openai", "affirmed", "fact"),
    ("en", "Qualcomm sued Arm Holdings in a Delaware court.", "qualcomm", "sues", "arm", "affirmed", "fact"),
    ("en", "Groq was acquired by NVIDIA last week.", "nvidia", "acquires", "groq", "affirmed", "fact"),
    # policy
    ("zh-Hans", "美国商务部禁止向中国出口H20芯片。", "us_commerce_department", "bans_export", "h20", "affirmed",
     "fact"),
    ("zh-Hant", "美國商務部批准輝達向中國出口H200。", "us_commerce_department", "approves_export", "h200", "affirmed",
     "fact"),
    ("en", "The Commerce Department revoked the licence for H20 sales.", "us_commerce_department", "revokes", "h20",
     "affirmed", "fact"),
    # technology
    ("zh-Hant", "Trainium3改用HBM3e。", "trainium3", "adopts", "hbm3e", "affirmed", "fact"),
    ("zh-Hans", "共封装光学将取代铜缆。", "co_packaged_optics", "replaces", "copper_interconnect", "affirmed",
     "forecast"),
    ("en", "Optical links replace copper cables inside the rack.", "optical_interconnect", "replaces",
     "copper_interconnect", "affirmed", "fact"),
    ("en", "The interconnect is the bottleneck.", "interconnect", "is_bottleneck", None, "affirmed", "fact"),
    # market
    ("zh-Hant", "台積電上調全年資本支出。", "tsmc", "raises", "tsmc", "affirmed", "fact"),
    ("zh-Hans", "华为推出昇腾950。", "huawei", "launches", "ascend_950", "affirmed", "fact"),
    ("en", "Micron delayed HBM4 shipments.", "micron", "delays", "hbm4", "affirmed", "fact"),
    # negation
    ("zh-Hant", "輝達並未收購Groq。", "nvidia", "acquires", "groq", "negated", "fact"),
    ("zh-Hans", "英伟达尚未收购Groq。", "nvidia", "acquires", "groq", "negated", "fact"),
    ("en", "NVIDIA has not acquired Groq.", "nvidia", "acquires", "groq", "negated", "fact"),
    # modality
    ("zh-Hant", "據悉，Meta可能採用TPU。", "meta", "adopts", "tpu", "affirmed", "hedged"),
    ("zh-Hans", "英伟达预计明年出货Rubin。", "nvidia", "ships", "rubin", "affirmed", "forecast"),
    ("en", "If the bill passes, Commerce would revoke licences for H20.", None, "revokes", "h20", "affirmed",
     "conditional"),
    ("zh-Hans", "英伟达是否会收购Groq？", "nvidia", "acquires", "groq", "affirmed", "question"),
    ("en", "NVIDIA will acquire Groq, people familiar with the matter said.", "nvidia", "acquires", "groq",
     "affirmed", "forecast"),
]


def _statements(lang: str, text: str) -> list[dict]:
    return get_extractor().extract(text, lang=lang)["statements"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}:{c[3]}:{c[5]}:{c[6]}")
def test_each_case_gives_its_statement(case):
    lang, text, subject, predicate, obj, polarity, modality = case
    got = [(s["subject"], s["predicate"], s["object"], s["polarity"], s["modality"]) for s in _statements(lang, text)]
    if subject is None:  # "Commerce" alone is no name: only the relation is checked
        got = [g for g in got if g[1:] == (predicate, obj, polarity, modality)]
        assert got, text
        return
    assert (subject, predicate, obj, polarity, modality) in got, (text, got)


def test_every_group_is_covered_in_every_script():
    preds = vocabulary()[0]
    seen = {(lang, preds[c[3]].group) for c in CASES for lang in [c[0]]}
    for group in ("comparison", "corporate", "policy", "technology", "market"):
        for lang in ("zh-Hant", "zh-Hans", "en"):
            assert (lang, group) in seen, (lang, group)


def test_a_decoy_about_another_company_is_not_read_as_the_first_one():
    text = "NVIDIA reported record revenue. Separately, AMD acquired ZT Systems."
    got = _statements("en", text)
    assert [(s["subject"], s["predicate"], s["object"]) for s in got] == [("amd", "acquires", "zt_systems")]


def test_the_nearest_governing_name_is_the_subject_not_the_first_of_the_sentence():
    got = _statements("zh-Hans", "据报道，华为表示，寒武纪已从英伟达挖来三名工程师。")
    assert ("cambricon", "hires_from", "nvidia") in [(s["subject"], s["predicate"], s["object"]) for s in got]


def test_an_unnamed_subject_is_kept_as_text():
    got = _statements("zh-Hant", "另一家券商則把安森美評等從買進下調至中立。")
    assert [(s["subject"], s["subject_text"], s["predicate"], s["object"], s["qualifier"]) for s in got] == [
        (None, "另一家券商", "cuts", "onsemi", "rating")]


def test_quotes_and_sentences_are_exact_substrings_of_the_original_text():
    text = "分析師指出，輝達並未收購Groq，但授權了其推理技術。美光則預計明年出貨HBM4。"
    res = get_extractor().extract(text, lang="zh-Hant")
    assert res["statements"]
    for s in res["statements"]:
        assert set(s) == KEYS
        assert text[s["start"]:s["end"]] == s["quote"]
        assert text[s["sentence_start"]:s["sentence_end"]] == s["sentence"]
        assert s["sentence_start"] <= s["start"] < s["end"] <= s["sentence_end"]
        assert "收購" in s["quote"] or "出貨" in s["quote"] or "授權" in s["quote"]


def test_a_statement_lists_the_claims_inside_its_clause():
    text = "NVIDIA took a $5 billion stake in Intel, and Micron raised its target to $150."
    res = get_extractor().extract(text, lang="en")
    stake = next(s for s in res["statements"] if s["predicate"] == "invests_in")
    assert [res["claims"][i]["value"] for i in stake["claims"]] == [5e9]
    for s in res["statements"]:
        for i in s["claims"]:
            c = res["claims"][i]
            assert s["start"] <= c["start"] and c["end"] <= s["end"]


def test_entities_carry_their_attributes():
    ents = get_extractor().extract("DeepSeek-V3 and a dense model both fit in HBM.", lang="en")["entities"]
    attrs = {e["id"]: e["attributes"] for e in ents}
    assert attrs["deepseek_v3"] == {"architecture": "moe"} and attrs["dense"] == {"architecture": "dense"}
    assert attrs["hbm"] == {"tier": "hbm"}


def test_a_vocabulary_mistake_names_the_file_and_the_key(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("predicates:\n  - {predicate: sues, group: legal, description: x, forms: {}}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"predicates\.sues\.group: 'legal' is not one of comparison"):
        read_predicates(bad)
    bad.write_text("predicates:\n  - {predicate: sues, group: corporate, description: x, forms: {en: [sues]}}\n",
                   encoding="utf-8")
    with pytest.raises(DataFileError, match=r"predicates\.sues\.forms: must list forms for each of zh-Hant"):
        read_predicates(bad)


def test_a_sentence_the_rules_cannot_read_yields_nothing_and_the_document_goes_on(monkeypatch):
    import extractors.statements as st
    calls = {"n": 0}
    real = st._sentence_statements

    def flaky(sent, *a):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ValueError("boom")
        return real(sent, *a)
    monkeypatch.setattr(st, "_sentence_statements", flaky)
    got = _statements("en", "AMD acquired ZT Systems. Qualcomm sued Arm.")
    assert [s["predicate"] for s in got] == ["sues"]


def test_extract_json_prints_statements_beside_claims(tmp_path):
    from tests.conftest import run_cli
    f = tmp_path / "a.txt"
    f.write_text("輝達並未收購Groq。", encoding="utf-8")
    out = run_cli("extract", str(f), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"entities", "claims", "statements"}
    assert [(s["subject"], s["predicate"], s["object"], s["polarity"]) for s in data["statements"]] == [
        ("nvidia", "acquires", "groq", "negated")]
    table = run_cli("extract", str(f))
    assert "Statements" in table.stdout and "acquires" in table.stdout and "negated" in table.stdout


def test_statement_quality_does_not_drop_below_the_pinned_floor():
    from extractors.evaluate import default_statement_dir, evaluate_statements
    from extractors.floors import below, corpus_hash, read_floors
    folder = default_statement_dir("dev")
    floors = read_floors(Path(folder).parent / "floors.json")
    assert floors["corpus_sha256"] == corpus_hash(folder), "the statement gold changed: run `thesiswatch eval --pin`"
    report = evaluate_statements(folder)
    assert report["texts"] == floors["texts"] and report["statements"]["gold"] >= 150
    assert not below(report, floors), below(report, floors)


def test_the_scorer_needs_all_four_parts_right():
    from extractors.evaluate import statement_match
    gold = {"subject": "nvidia", "subject_text": None, "predicate": "acquires", "object": None,
            "object_text": "一家光模块厂商", "polarity": "negated"}
    pred = dict(gold, object_text="光模块厂商")
    assert statement_match(pred, gold)
    for key, wrong in (("subject", "amd"), ("predicate", "invests_in"), ("polarity", "affirmed"),
                       ("object_text", "晶圆厂")):
        assert not statement_match(dict(pred, **{key: wrong}), gold), key


@pytest.mark.parametrize("text, polarity, modality", [
    ("Qualcomm was sued by a coalition of handset makers over royalty terms.", "affirmed", "fact"),
    ("Qualcomm was not sued by any handset maker last year.", "negated", "fact"),
    ("Qualcomm may be sued by a coalition of handset makers.", "affirmed", "hedged"),
])
def test_a_passive_agent_named_only_by_a_description_is_kept_as_text(text, polarity, modality):
    # English only for now: a Chinese 被 with no name after it is not yet read this way
    got = [(s["subject"], s["predicate"], s["object"], s["polarity"], s["modality"]) for s in _statements("en", text)
           if s["subject_text"]]
    assert got == [(None, "sues", "qualcomm", polarity, modality)], (text, got)
