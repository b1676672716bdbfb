"""Numbers, claims and entities: property tests for numerals, the issue's examples, and the
gold-set floor."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.numbers import parse_chinese
from tests.conftest import run_cli, run_process

DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Write 0 <= n < 10^12 in Chinese numerals (the way a newspaper would)."""
    if n == 0:
        return "零"

    def below_10k(x: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // value % 10
            if d:
                if zero and out:
                    out += "零"
                out += DIGITS[d] + unit
                zero = False
            elif out:
                zero = True
        return out

    parts = [(n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")]
    out, pending_zero = "", False
    for value, unit in parts:
        if value:
            if out and (pending_zero or value < 1000):
                out += "零"
            out += below_10k(value) + unit
            pending_zero = False
        elif out:
            pending_zero = True
    return out


@pytest.fixture(scope="module")
def ex():
    from extractors.pipeline import get_extractor
    return get_extractor()


@given(st.integers(min_value=0, max_value=10**12 - 1))
@settings(max_examples=300, deadline=None)
def test_chinese_numerals_round_trip(n):
    assert parse_chinese(to_chinese(n)) == n


@given(st.integers(min_value=1, max_value=999_999), st.sampled_from([("万", 1e4), ("亿", 1e8)]))
@settings(max_examples=100, deadline=None)
def test_arabic_with_chinese_magnitude_round_trips_through_the_pipeline(n, mag):
    from extractors.pipeline import get_extractor
    word, factor = mag
    text = f"该公司今年营收为{n:,}{word}美元。"
    claims = get_extractor().extract(text, lang="zh-Hans")["claims"]
    assert [(c["value"], c["unit"]) for c in claims] == [(n * factor, "USD")]


@given(st.integers(min_value=1, max_value=999), st.sampled_from(
    [("thousand", 1e3), ("million", 1e6), ("billion", 1e9), ("trillion", 1e12), ("bn", 1e9)]))
@settings(max_examples=100, deadline=None)
def test_english_magnitudes_round_trip(n, mag):
    from extractors.pipeline import get_extractor
    word, factor = mag
    sep = "" if word == "bn" else " "
    claims = get_extractor().extract(f"The company reported revenue of ${n}{sep}{word}.", lang="en")["claims"]
    assert [(c["value"], c["unit"]) for c in claims] == [(pytest.approx(n * factor), "USD")]


CASES = [
    # text, lang, expected (value, unit, qualifier) of the only claim
    ("該廠年產能達兩百萬輛。", "zh-Hant", (2e6, "count", "exact")),
    ("新晶片的效能是上一代的三倍。", "zh-Hant", (3, "x", "exact")),
    ("成本可降低一半。", "zh-Hant", (-50, "%", "exact")),  # 降低 is a direction word
    ("毛利率約為百分之十五。", "zh-Hant", (15, "%", "approx")),
    ("共享專家合計約2.55B參數。", "zh-Hant", (2.55e9, "params", "approx")),
    ("該交易累計金額最高可達1.8兆美元。", "zh-Hant", (1.8e12, "USD", "at_most")),
    ("該資料中心耗電300兆瓦。", "zh-Hant", (3e8, "W", "exact")),
    ("公司持有现金100多亿元人民币。", "zh-Hans", (1e10, "CNY", "at_least")),
    ("该芯片采用3纳米工艺。", "zh-Hans", (3, "nm", "exact")),
    ("延迟降至略低于10微秒。", "zh-Hans", (1e-5, "s", "at_most")),
    ("它整合了144 GB的HBM3e記憶體，頻寬為4.9 TB/s。", "zh-Hant", None),
    ("10年期公债收益率上涨1.4个基点。", "zh-Hans", (1.4, "bp", "exact")),
    ("失业率上升0.1个百分点。", "zh-Hans", (0.1, "pp", "exact")),
    ("The index closed down 179.03 points.", "en", (-179.03, "points", "exact")),
    ("Spot gold rose 0.49% to $4,209.32 an ounce.", "en", None),
]


@pytest.mark.parametrize("text,lang,expected", CASES)
def test_issue_examples(ex, text, lang, expected):
    claims = ex.extract(text, lang=lang, published=date(2025, 12, 10))["claims"]
    if expected is None:
        assert claims  # checked in detail below
        return
    assert len(claims) == 1, claims
    c = claims[0]
    want_value, want_unit, want_qualifier = expected
    assert (c["value"], c["unit"], c["qualifier"]) == (pytest.approx(want_value), want_unit, want_qualifier)


def test_memory_figures_and_per_ounce_prices(ex):
    c = ex.extract("它整合了144 GB的HBM3e記憶體，頻寬為4.9 TB/s。", lang="zh-Hant")["claims"]
    assert [(x["value"], x["unit"]) for x in c] == [(1.44e11, "bytes"), (4.9e12, "bytes/s")]
    c = ex.extract("Spot gold rose 0.49% to $4,209.32 an ounce.", lang="en")["claims"]
    assert [(x["value"], x["unit"]) for x in c] == [(0.49, "%"), (4209.32, "USD/oz")]


def test_ranges_keep_low_and_high(ex):
    c = ex.extract("惠普預計裁員4000至6000人，營收年增10%至12%。", lang="zh-Hant")["claims"]
    assert [(x["low"], x["high"], x["unit"]) for x in c] == [(-6000, -4000, "count"), (10, 12, "%")]


def test_a_change_keeps_the_previous_value_and_its_subject(ex):
    text = "Evercore ISI分析師Mark Lipacis將安森美的目標價從68美元上調至80美元。"
    c = ex.extract(text, lang="zh-Hant")["claims"]
    assert len(c) == 1
    assert (c[0]["value"], c[0]["previous_value"], c[0]["unit"]) == (80, 68, "USD")
    assert (c[0]["subject"], c[0]["metric"]) == ("onsemi", "price_target")
    assert c[0]["quote"] == "80美元" and text[c[0]["start"]:c[0]["end"]] == "80美元"
    en = ex.extract("Evercore ISI raised its price target on onsemi from $68 to $80.", lang="en")["claims"]
    got = [(x["value"], x["previous_value"], x["subject"], x["metric"]) for x in en]
    assert got == [(80, 68, "onsemi", "price_target")]


def test_direction_words_set_the_sign(ex):
    c = ex.extract("輝達市值本月蒸發逾7000億美元，股價累計下跌14%。", lang="zh-Hant")["claims"]
    assert [(x["value"], x["qualifier"], x["metric"]) for x in c] == [
        (-7e11, "at_least", "market_cap_change"), (-14, "exact", "stock_change")]


def test_periods_resolve_against_the_article_date(ex):
    text = ("預計到2027年下半年領先約17倍；出貨量在2027年第四季度將達到100萬顆；明年營收將增長48%；"
            "去年虧損2億美元；比12月18日的收盤價高出47%。")
    c = ex.extract(text, lang="zh-Hant", published=date(2025, 12, 19))["claims"]
    assert [x["period"] for x in c] == ["2027H2", "2027Q4", "2026", "2024", "2025-12-18"]


def test_numbers_in_names_and_list_markers_are_not_claims(ex):
    text = ("1) 華為推出CloudMatrix 384，但性能不及H200；Trainium3與GPT-OSS同台，十五五規劃出爐。"
            "第10次巡航在1715 GMT結束。")
    assert ex.extract(text, lang="zh-Hant")["claims"] == []


def test_traditional_and_simplified_give_the_same_claims(ex):
    hant = "華為2026年的產能約為輝達的4%，到2027年下半年輝達將領先約17倍。"
    from extractors.fold import to_simplified
    a = ex.extract(hant, lang="zh-Hant", published=date(2025, 12, 1))
    b = ex.extract(to_simplified(hant), lang="zh-Hans", published=date(2025, 12, 1))
    strip = lambda r: [(c["value"], c["unit"], c["subject"], c["period"], c["start"]) for c in r["claims"]]  # noqa: E731
    assert strip(a) == strip(b) and len(strip(a)) == 2
    assert [e["id"] for e in a["entities"]] == [e["id"] for e in b["entities"]] == ["huawei", "nvidia", "nvidia"]


def test_bare_yuan_follows_locale_and_explicit_currency(ex):
    assert ex.extract("營收為50億元。", lang="zh-Hant", locale="TW")["claims"][0]["unit"] == "TWD"
    assert ex.extract("营收为50亿元。", lang="zh-Hans", locale="CN")["claims"][0]["unit"] == "CNY"
    c = ex.extract("營收585.9億元人民幣，上年同期為539.49億元。", lang="zh-Hant", locale="TW")["claims"]
    assert [x["unit"] for x in c] == ["CNY", "CNY"]


def test_entities_carry_canonical_ids_in_both_scripts_and_cases(ex):
    for text in ("輝達與台積電", "辉达与台积电", "NVIDIA and TSMC", "nvidia and TSMC"):
        ents = ex.extract(text)["entities"]
        assert [e["id"] for e in ents] == ["nvidia", "tsmc"], text
    assert ex.extract("The plane landed on time.", lang="en")["entities"] == []  # 'on' is not onsemi


def test_a_user_gazetteer_adds_entities_without_code(tmp_path):
    from extractors.pipeline import Extractor
    extra = tmp_path / "mine.yaml"
    extra.write_text("entities:\n"
                     "  - {id: acme_chips, type: company, name: Acme Chips, aliases: [艾克米晶片, 艾克米芯片]}\n",
                     encoding="utf-8")
    ex = Extractor(extra_files=(str(extra),))
    res = ex.extract("艾克米晶片今年營收成長30%。", lang="zh-Hant")
    assert [e["id"] for e in res["entities"]] == ["acme_chips"]
    assert res["claims"][0]["subject"] == "acme_chips"


def test_a_bad_user_gazetteer_is_a_terminal_thesiswatch_error(tmp_path):
    from common.exceptions import TerminalException, ThesiswatchError
    from extractors.gazetteer import GazetteerError, load_entities
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - {id: acme, type: chipmaker, name: Acme}\n", encoding="utf-8")
    with pytest.raises(GazetteerError) as info:
        load_entities((str(bad),))
    assert isinstance(info.value, ThesiswatchError) and isinstance(info.value, TerminalException)
    assert str(info.value).startswith(f"{bad}: entity acme: type 'chipmaker' is not one of company, product")


def test_extract_command_json_shape(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("輝達股價今年上漲約30%。", encoding="utf-8")
    out = run_cli("extract", str(f), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"entities", "claims"}
    assert set(data["entities"][0]) == {"id", "type", "text", "start", "end"}
    assert set(data["claims"][0]) == {"value", "unit", "low", "high", "qualifier", "previous_value", "subject",
                                      "metric", "period", "quote", "sentence", "start", "end"}
    assert data["claims"][0]["value"] == 30 and data["claims"][0]["qualifier"] == "approx"
    piped = run_cli("extract", "-", "--json", "--lang", "zh-Hant", stdin="輝達股價今年上漲約30%。")
    assert json.loads(piped.stdout) == data


GOLD = Path(__file__).parent / "gold"


@pytest.fixture(scope="module")
def dev_report():
    """`thesiswatch eval --json` in a fresh process, as a user runs it: other tests here teach
    jieba's process-wide dictionary extra words, which shifts a few segmentations."""
    out = run_process("eval", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_gold_set_quality_does_not_drop_below_the_pinned_floor(dev_report):
    from extractors.evaluate import default_gold_dir
    from extractors.floors import below, corpus_hash, read_floors
    floors = read_floors(GOLD / "floors.json")
    assert floors["corpus_sha256"] == corpus_hash(default_gold_dir()), (
        "the gold texts changed since the floors were pinned: run `thesiswatch eval --pin`")
    assert dev_report["texts"] == floors["texts"] and dev_report["claims"]["gold"] >= 250
    low = below(dev_report, floors)
    assert not low, f"below the floor pinned in tests/gold/floors.json: {low}"


def test_the_readme_reports_the_dev_figures_the_scorer_measures(dev_report):
    """The README's `thesiswatch eval` block is the scorer's output on the dev part, not a
    figure from an older corpus."""
    from extractors.evaluate import render_report
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "$ thesiswatch eval\n" + render_report(dev_report) + "\n" in readme


def test_pinning_never_lowers_a_floor_without_the_flag(tmp_path):
    from extractors.floors import FloorError, pin, read_floors
    (tmp_path / "g.yaml").write_text("id: g\n")
    report = {"texts": 1, "entities": {"f1": 0.9}, "claims": {"f1": 0.9}, "subject_accuracy": 0.8,
              "period_accuracy": 0.5}
    floors = tmp_path / "floors.json"
    pin(report, tmp_path, floors)
    worse = {**report, "subject_accuracy": 0.7}
    with pytest.raises(FloorError, match=r"pinning would lower subject_accuracy 0.8 -> 0.7\. .*--allow-lower"):
        pin(worse, tmp_path, floors)
    assert read_floors(floors)["floors"]["subject_accuracy"] == 0.8
    pin(worse, tmp_path, floors, allow_lower=True)
    assert read_floors(floors)["floors"]["subject_accuracy"] == 0.7


@pytest.mark.parametrize("part", ["texts", "test"])
def test_the_gold_validator_passes_on_every_part(part, capsys):
    import importlib.util
    if not (GOLD / part).is_dir():
        pytest.skip(f"no tests/gold/{part} yet")
    spec = importlib.util.spec_from_file_location("gold_validate", GOLD / "validate.py")
    validate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(validate)
    assert validate.main([str(GOLD / part)]) == 0, capsys.readouterr().out[-3000:]


def test_docstring_examples_hold():
    import doctest

    import extractors.fold
    import extractors.numbers
    import extractors.patterns
    import extractors.quantities
    for mod in (extractors.numbers, extractors.fold, extractors.quantities, extractors.patterns):
        result = doctest.testmod(mod)
        assert result.attempted > 0 and result.failed == 0, mod.__name__


def test_the_number_suite_does_not_drop_below_its_floor():
    """tests/numbers: 567 cases written without reading the rules. The floor is today's figure,
    far from the 0.95 target; it may only rise."""
    from extractors.floors import corpus_hash
    from extractors.suite import evaluate_suite
    folder = Path(__file__).parent / "numbers"
    floor = json.loads((folder / "floor.json").read_text())
    assert floor["corpus_sha256"] == corpus_hash(folder), "the number suite changed: re-pin tests/numbers/floor.json"
    r = evaluate_suite(folder)
    assert r["cases"] == floor["cases"]
    assert r["pass_rate"] >= floor["pass_rate"], r["pass_rate"]
    assert r["wrong_value_cases"] <= floor["max_wrong_value_cases"], r["wrong_value_cases"]


def test_the_suite_judge_tells_a_miss_from_a_wrong_value_and_an_extra():
    from extractors.suite import judge
    case = {"phenomenon": "plain", "expect": [{"span": "5億美元", "start": 3, "end": 8, "value": 5e8, "unit": "USD"}]}
    claim = {"start": 3, "end": 8, "value": 5e8, "unit": "USD", "low": None, "high": None, "quote": "5億美元"}
    assert judge(case, [claim])["passed"]
    assert judge(case, [{**claim, "value": -5e8}])["passed"]  # magnitude outside the sign cases
    assert judge({**case, "phenomenon": "sign_glued"}, [{**claim, "value": -5e8}])["wrong"]
    assert judge(case, [{**claim, "value": 5e4}])["wrong"] == ["'5億美元': got 50000 USD, want 5e+08 USD"]
    assert judge(case, [])["missed"] == ["5億美元"]
    extra = {**claim, "start": 10, "end": 12, "quote": "3%", "value": 3, "unit": "%"}
    assert judge(case, [claim, extra])["extra"] == ["'3%' = 3 %"]
