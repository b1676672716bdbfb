"""Issue 9, "never a wrong value": one sentence of our own per phenomenon the number suite showed
failing, with every quantity it must give (value in base units, unit, and a range's ends), and the
numerals that are names, not quantities."""
from __future__ import annotations

import pytest

from extractors.numbers import UNIT_MAGNITUDES, parse_chinese, parse_english, parse_pair

# text, lang, locale, [(value, unit) or (low, high, unit)] in text order; values as the claim stores them
CASES = [
    # Chinese: mixed numerals, truncated tails, zero fillers
    ("这家工厂今年已交付电池包2万6000套。", "zh-Hans", "CN", [(26000, "count")]),
    ("園區目前進駐員工約1萬8千人。", "zh-Hant", "TW", [(18000, "count")]),
    ("首日参观人数达到一万二人次。", "zh-Hans", "CN", [(12000, "count")]),
    ("该基金本期募集5千零60万元。", "zh-Hans", "CN", [(50600000, "CNY")]),
    ("截至九月底，全台銀行存款總額達58兆6,000億元。", "zh-Hant", "TW", [(5.86e13, "TWD")]),
    # approximate pairs and ranges of Chinese numerals
    ("新门店开业当天来了三四百位顾客。", "zh-Hans", "CN", [(300, 400, "count")]),
    ("明年預計還有兩三家晶圓廠完工。", "zh-Hant", "TW", [(2, 3, "count")]),
    ("每家银行可推荐一到三个项目参与试点。", "zh-Hans", "CN", [(1, 3, "count")]),
    ("业内估计六七成的订单来自海外。", "zh-Hans", "CN", [(60, 70, "%")]),
    ("這項活動吸引了十幾間券商參與。", "zh-Hant", "TW", [(10, "count")]),
    # decimals with 点/點 and ○ as zero
    ("今年前三季出口總額為三二一○點五億美元。", "zh-Hant", "TW", [(3.2105e11, "USD")]),
    ("該公司全年營收約新台幣二點○七兆元。", "zh-Hant", "TW", [(2.07e12, "TWD")]),
    ("股价收在四十八点七五元。", "zh-Hans", "CN", [(48.75, "CNY")]),
    ("一季度居民收入同比增长百分之六点三。", "zh-Hans", "CN", [(6.3, "%")]),
    ("櫃買指數上漲二點四六點。", "zh-Hant", "TW", [(2.46, "points")]),
    # a space before the magnitude
    ("公司预计明年资本开支约为 8 亿至 9.5 亿美元。", "zh-Hans", "CN", [(8e8, 9.5e8, "USD")]),
    ("该省10月芯片进口额为 41.7 亿美元。", "zh-Hans", "CN", [(4.17e9, "USD")]),
    # a sign glued to the number
    ("盘中宁德时代-2.6%，比亚迪+1.9%。", "zh-Hans", "CN", [(-2.6, "%"), (1.9, "%")]),
    ("Among laggards were Intel (-4.2%) and Micron (-1.7%).", "en", "US", [(-4.2, "%"), (-1.7, "%")]),
    # multiples: 增加一倍 is +100%, 翻倍 is 2x
    ("公司计划明年把海外产能增加一倍。", "zh-Hans", "CN", [(100, "%")]),
    ("新一代模組的頻寬比前代高出一倍。", "zh-Hant", "TW", [(100, "%")]),
    ("這家公司今年的獲利可望翻倍。", "zh-Hant", "TW", [(2, "x")]),
    # English number words
    ("Thirty-four economists polled expect a pause.", "en", "US", [(34, "count")]),
    ("The settlement was three hundred and fifty thousand dollars.", "en", "US", [(350000, "USD")]),
    ("The lab hired twelve hundred engineers last year.", "en", "US", [(1200, "count")]),
    ("About a couple dozen analysts attended the briefing.", "en", "US", [(24, "count")]),
    ("Investors pulled a trillion dollars from the sector.", "en", "US", [(1e12, "USD")]),
    ("The founder paid half a million dollars for the domain.", "en", "US", [(500000, "USD")]),
    ("The refinery can process three quarters of a million barrels a day.", "en", "US", [(750000, "barrels/day")]),
    ("Four in five buyers said prices were too high.", "en", "US", [(80, "%")]),
    # ISO codes before the amount, bln/mln/MM
    ("The utility sold CHF 450 million of green bonds and EUR 700m of notes.", "en", "US",
     [(4.5e8, "CHF"), (7e8, "EUR")]),
    ("The carrier raised USD 1.1bn in a private placement.", "en", "US", [(1.1e9, "USD")]),
    ("The group reported 2.7 bln euros of net income.", "en", "US", [(2.7e9, "EUR")]),
    ("The fund closed at $420MM.", "en", "US", [(4.2e8, "USD")]),
    # currency words, never microseconds
    ("Tickets cost 15 US dollars at the door.", "en", "US", [(15, "USD")]),
    ("Exports reached 120 billion U.S. dollars last year.", "en", "US", [(1.2e11, "USD")]),
    # unit words
    ("The port handled 6.2 million metric tons of grain.", "en", "US", [(6.2e6, "tons")]),
    ("The campus will draw 300 MW once finished, and each rack uses 120 kW.", "en", "US",
     [(3e8, "W"), (1.2e5, "W")]),
    ("The chip has a 1,000W power envelope.", "en", "US", [(1000, "W")]),
    ("该储能电站的装机规模为200兆瓦，单台机组为750千瓦。", "zh-Hans", "CN", [(2e8, "W"), (7.5e5, "W")]),
    ("The trailer hauled 9,000 pounds of steel.", "en", "US", [(9000, "pounds")]),
    ("The regulator fined the bank 3 million pounds.", "en", "US", [(3e6, "GBP")]),
    ("The dividend rose to 9.4 pence a share.", "en", "US", [(0.094, "GBP")]),
    ("Revenue came to 12.3 billion Swiss francs.", "en", "US", [(1.23e10, "CHF")]),
    ("The run took 5.1 million GPU hours.", "en", "US", [(5.1e6, "GPU_hours")]),
    ("The model saw 9 trillion tokens during training.", "en", "US", [(9e12, "tokens")]),
    # not quantities
    ("运营商的5G用户继续增加。", "zh-Hans", "CN", []),
    ("營運商加速部署５Ｇ專網。", "zh-Hant", "TW", []),
    ("该公司采购了一批昇腾910B芯片。", "zh-Hans", "CN", []),
    ("过去四个季度，公司营收稳步增长。", "zh-Hans", "CN", []),
    ("A basis point equals one hundredth of a percentage point.", "en", "US", []),
]


@pytest.fixture(scope="module")
def ex():
    from extractors.pipeline import get_extractor
    return get_extractor()


def _read(claim: dict) -> tuple:
    if claim["low"] is not None and claim["high"] is not None and claim["low"] != claim["high"]:
        return (pytest.approx(claim["low"]), pytest.approx(claim["high"]), claim["unit"])
    return (pytest.approx(claim["value"]), claim["unit"])


@pytest.mark.parametrize("text,lang,locale,want", CASES, ids=[c[0][:24] for c in CASES])
def test_each_phenomenon_reads_the_right_value(ex, text, lang, locale, want):
    claims = ex.extract(text, lang=lang, locale=locale)["claims"]
    assert [_read(c) for c in claims] == want, claims


def test_a_sign_against_a_name_or_a_range_is_not_a_sign(ex):
    c = ex.extract("The rate will be 5%-6% for GPT-4 users.", lang="en")["claims"]
    assert [(x["low"], x["high"], x["unit"]) for x in c] == [(5, 6, "%")]


def test_a_quarter_earlier_is_a_time_not_a_share(ex):
    assert ex.extract("Profit rose from a quarter earlier.", lang="en")["claims"] == []


def test_chinese_numeral_readings():
    assert parse_chinese("一万三") == 13000 and parse_chinese("一万零三") == 10003
    assert parse_chinese("十五") == 15 and parse_chinese("一百五") == 150
    assert parse_chinese("百亿亿") == 1e18 and parse_chinese("一万亿") == 1e12
    assert parse_chinese("一点○五兆") == 1.05e12
    assert parse_pair("三四千") == (3000, 4000) and parse_pair("三五") is None and parse_pair("二〇") is None
    with pytest.raises(ValueError):
        parse_chinese("三点")


def test_english_number_words():
    assert parse_english("ninety-nine") == 99
    assert parse_english("a hundred and five") == 105
    assert parse_english("half a dozen") == 6
    assert parse_english("a quarter of a million") == 250000
    with pytest.raises(ValueError):
        parse_english("two hundred cats")


def test_every_unit_that_begins_with_a_magnitude_character_is_listed():
    """600千瓦 is 600 kW only because 千 before 瓦 is not read as a thousand."""
    from extractors.units import unit_table
    magnitude_chars = "十百千万亿兆"
    starting = {s for s in unit_table()[1] if s[0] in magnitude_chars}
    assert all(any(s.startswith(u) for u in UNIT_MAGNITUDES) for s in starting), starting


def test_the_readme_reports_the_number_suite_as_scored():
    """The README's `thesiswatch eval --numbers` block is the scorer's output, not an old figure."""
    from pathlib import Path

    from extractors.suite import evaluate_suite, render_suite
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "$ thesiswatch eval --numbers\n" + render_suite(evaluate_suite()) + "\n```" in readme
