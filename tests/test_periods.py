"""Periods of claims: what the article's context dates (a running period, the trading day, a
comparison period), what it never dates (targets, specs, counts of analysts), and fiscal calendars.
Each phenomenon in Traditional Chinese, Simplified Chinese and English."""
from __future__ import annotations

import doctest
from datetime import date

import pytest

from common.exceptions import DataFileError


@pytest.fixture(scope="module")
def ex():
    from extractors.pipeline import get_extractor
    return get_extractor()


def periods(ex, text, lang, published):
    """(quote, period) of every claim."""
    return [(c["quote"], c["period"]) for c in ex.extract(text, lang=lang, published=published)["claims"]]


# -- a running period: set by a results sentence, carried to the figures after it ------------------

@pytest.mark.parametrize("lang,text", [
    ("zh-Hant", "台積電昨天公布第三季財報，營收年增40.8%。毛利率為59.5%，稅後純益4,523億元。"),
    ("zh-Hans", "中芯国际公布第三季度业绩，收入同比增长9.9%。毛利率为22.0%，净利润1.92亿美元。"),
    ("en", "Micron reported results for the third quarter of 2025, with revenue up 46%. "
           "Gross margin was 45.7%, and net income came to $3.2 billion."),
])
def test_a_quarter_set_by_the_results_dates_the_figures_after_it(ex, lang, text):
    got = periods(ex, text, lang, date(2025, 10, 17))
    assert len(got) == 3 and all(p == "2025Q3" for _, p in got), got


@pytest.mark.parametrize("lang,text", [
    ("zh-Hant", "國家統計局公布11月CPI數據。CPI同比上漲0.7%。PPI同比下降2.2%。"),
    ("zh-Hans", "国家统计局公布11月CPI数据。CPI同比上涨0.7%。PPI同比下降2.2%。"),
    ("en", "In November, U.S. consumer prices rose less than expected. The index climbed 2.7% from a year "
           "earlier. Core prices rose 2.6%."),
])
def test_a_month_of_macro_data_dates_the_later_releases(ex, lang, text):
    assert [p for _, p in periods(ex, text, lang, date(2025, 12, 10))] == ["2025-11", "2025-11"]


@pytest.mark.parametrize("lang,text,target", [
    ("zh-Hant", "輝達公布第三季財報，營收成長62%。摩根士丹利將輝達目標價上調至250美元。", "250美元"),
    ("zh-Hans", "英伟达公布第三季度财报，营收增长62%。摩根士丹利将英伟达目标价上调至250美元。", "250美元"),
    ("en", "NVIDIA reported third-quarter revenue up 62%. Morgan Stanley raised its price target on "
           "NVIDIA to $250.", "$250"),
])
def test_a_price_target_after_a_results_sentence_keeps_no_period(ex, lang, text, target):
    got = dict(periods(ex, text, lang, date(2025, 11, 21)))
    assert got["62%"] == "2025Q3" and got[target] is None, got


@pytest.mark.parametrize("lang,text,count", [
    ("zh-Hant", "聯發科公布第三季財報，營收成長10%。追蹤聯發科的38位分析師中有29位給予買進評級。", "38位分析師"),
    ("zh-Hans", "联发科公布第三季度财报，营收增长10%。追踪联发科的38位分析师中有29位给予买入评级。", "38位分析师"),
    ("en", "AMD reported third-quarter revenue up 36%. Of the 52 analysts covering AMD, 39 rate it a buy.",
     "52 analysts"),
])
def test_counts_of_analysts_and_specs_never_take_the_running_period(ex, lang, text, count):
    got = dict(periods(ex, text, lang, date(2025, 11, 21)))
    assert got[count] is None, got
    spec = {"zh-Hant": ("第三季營收成長5%。新晶片配備288GB記憶體。", "288GB"),
            "zh-Hans": ("第三季度营收增长5%。新芯片配备288GB内存。", "288GB"),
            "en": ("Third-quarter revenue rose 5%. The new chip carries 288 GB of memory.", "288 GB")}[lang]
    assert dict(periods(ex, "AMD" + spec[0], lang, date(2025, 11, 21)))[spec[1]] is None


@pytest.mark.parametrize("lang,text", [
    ("zh-Hant", "理想汽車公布第三季財報。展望第四季，理想汽車預估交付量10萬輛。淨利為5億元。"),
    ("zh-Hans", "理想汽车公布第三季度财报。截至第四季度，理想汽车交付量10万辆。净利为5亿元。"),
])
def test_a_newer_period_replaces_the_running_one_but_a_forecast_does_not(ex, lang, text):
    got = periods(ex, text, lang, date(2025, 12, 1))
    assert [p for _, p in got] == ["2025Q4", "2025Q4"], got
    later = periods(ex, "SK海力士公布第三季財報。SK海力士明年營收將成長30%。營業利益為11.38兆韓元。", "zh-Hant",
                    date(2025, 10, 30))
    assert [p for _, p in later] == ["2026", "2025Q3"], later


@pytest.mark.parametrize("lang,text,prev", [
    ("zh-Hant", "滴滴公布2025年第三季財報。當季營收585.9億元，較去年同期的539.49億元成長8.6%。", "539.49億元"),
    ("zh-Hans", "理想汽车第三季度毛利率为16.3%，低于上年同期的21.5%。当季净亏损6.2亿元。", "21.5%"),
    ("en", "Deere reported third-quarter 2025 results. Net income was $1.065 billion, compared with "
           "$1.245 billion in the year-ago quarter.", "$1.245 billion"),
])
def test_a_year_ago_dates_the_figure_it_introduces_with_the_year_before(ex, lang, text, prev):
    got = periods(ex, text, lang, date(2025, 11, 27))
    assert dict(got)[prev] == "2024Q3", got
    assert {p for q, p in got if q != prev} == {"2025Q3"}, got  # the change and the level stay current


def test_the_quarter_before_and_respective_comparisons(ex):
    text = "理想汽車第三季淨虧損6.2億元，去年同期與上一季則分別錄得淨利28億元和11億元。"
    assert periods(ex, text, "zh-Hant", date(2025, 11, 27)) == [
        ("6.2億元", "2025Q3"), ("28億元", "2024Q3"), ("11億元", "2025Q2")]
    en = "NVIDIA's gross margin was 73.4% in the third quarter of 2025, versus 72.4% the previous quarter."
    assert periods(ex, en, "en", date(2025, 11, 20))[-1] == ("72.4%", "2025Q2")


@pytest.mark.parametrize("lang,text", [
    ("zh-Hant", "【快訊】\n◆ 台積電公布第三季財報，營收成長40%。\n◆ 鴻海表示，新廠將投資10億美元。"),
    ("zh-Hans", "【快讯】\n▲台积电公布第三季度财报，营收增长40%。\n▲鸿海表示，新厂将投资10亿美元。"),
    ("en", "BRIEFING\n* TSMC reported third-quarter revenue up 40%.\n* Foxconn said it will invest $1 billion "
           "in a new plant."),
])
def test_a_briefing_story_starts_without_the_previous_storys_period(ex, lang, text):
    assert [p for _, p in periods(ex, text, lang, date(2025, 10, 17))] == ["2025Q3", None]


# -- the trading day ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang,text", [
    ("zh-Hant", "台股週五開低走低。加權指數終場下跌282.65點，收在27,628.41點。台積電下跌20元。"),
    ("zh-Hans", "A股三大指数周五集体收跌。上证指数跌0.37%，报3909.52点。中际旭创涨4.2%。"),
    ("en", "Wall Street ended lower on Friday. The Dow Jones Industrial Average fell 179.03 points, or "
           "0.38%, to 47,560.29."),
])
def test_a_weekday_dates_the_wrap_with_the_latest_such_day_even_across_a_month_end(ex, lang, text):
    got = periods(ex, text, lang, date(2025, 12, 2))  # a Tuesday: Friday is 28 November
    assert got and all(p == "2025-11-28" for _, p in got), got


@pytest.mark.parametrize("lang,text,day", [
    ("zh-Hant", "聯發科今日股價上漲3.2%。", "2025-12-01"),
    ("zh-Hans", "隔夜伦敦现货黄金收涨0.8%，报每盎司4305美元。", "2025-11-30"),
    ("en", "Oracle shares tumbled 11% in after-hours trading yesterday.", "2025-11-30"),
])
def test_today_yesterday_and_overnight(ex, lang, text, day):
    got = periods(ex, text, lang, date(2025, 12, 1))
    assert got and all(p == day for _, p in got), got


@pytest.mark.parametrize("lang,text", [
    ("zh-Hant", "布蘭特原油收跌55美分，報每桶61.94美元。"),
    ("zh-Hans", "现货黄金上扬0.49%，收在每盎司4209.32美元。"),
    ("en", "NVIDIA reported fiscal third-quarter revenue of $57.0 billion. Its shares rose 4% in extended trading."),
])
def test_market_data_without_a_day_word_takes_no_period_and_never_the_quarter(ex, lang, text):
    got = periods(ex, text, lang, date(2025, 11, 20))
    assert got[-1][1] is None, got


def test_a_report_day_is_not_the_day_of_the_data(ex):
    text = ("U.S. consumer prices rose in November. The index climbed 2.7% from a year earlier, "
            "the Bureau of Labor Statistics said on Thursday.")
    assert periods(ex, text, "en", date(2025, 12, 18)) == [("2.7%", "2025-11")]


def test_the_weekday_rule_itself():
    from extractors.periods import last_weekday
    tuesday = date(2025, 12, 2)
    assert last_weekday(tuesday, 4) == date(2025, 11, 28)        # 週五 / Friday
    assert last_weekday(tuesday, 1) == tuesday                   # 週二 on a Tuesday is that day
    assert last_weekday(tuesday, 1, before_week=True) == date(2025, 11, 25)  # 上週二
    assert last_weekday(date(2026, 1, 1), 2) == date(2025, 12, 31)  # Wednesday seen on New Year's Day


# -- fiscal calendars -----------------------------------------------------------------------------

@pytest.mark.parametrize("lang,text", [
    ("zh-Hant", "輝達公布2026財年第三財季財報，營收為570億美元。"),
    ("zh-Hans", "英伟达公布2026财年第三季度财报，营收为570亿美元。"),
    ("en", "NVIDIA reported revenue of $57.0 billion for the third quarter of fiscal 2026."),
])
def test_a_fiscal_quarter_of_a_company_with_a_calendar_keeps_its_own_numbering(ex, lang, text):
    assert [p for _, p in periods(ex, text, lang, date(2025, 11, 20))] == ["FY2026Q3"]


@pytest.mark.parametrize("lang,text,want", [
    ("zh-Hant", "台積電2025財年營收為3.8兆元。", "2025"),           # TSMC reports on the calendar year
    ("zh-Hans", "海光信息2025财年营收为120亿元。", "2025"),          # no entry: the calendar year
    ("en", "Acme expects revenue of $2.5 billion in fiscal 2026.", "2026"),
])
def test_a_fiscal_year_of_a_calendar_company_or_an_unknown_one_is_plain(ex, lang, text, want):
    assert [p for _, p in periods(ex, text, lang, date(2025, 12, 1))] == [want]


def test_a_fiscal_quarter_without_a_year_takes_it_from_the_calendar_and_the_article(ex):
    text = ("For the fiscal second quarter ended Nov. 30, Oracle reported total revenue of $16.1 billion. "
            "Remaining performance obligations swelled to $523 billion. For the third quarter, Oracle guided "
            "for revenue growth of 16% to 18%.")
    assert [p for _, p in periods(ex, text, "en", date(2025, 12, 11))] == ["FY2026Q2", "FY2026Q2", "FY2026Q3"]
    zh = "聯想集團公布截至9月30日止的2025/26財年第二財季業績，收入為204.5億美元。毛利率為15.1%。"
    assert [p for _, p in periods(ex, zh, "zh-Hant", date(2025, 11, 21))] == ["FY2026Q2", "FY2026Q2"]
    hans = "博通公布2025财年第四季度业绩，营收为180.2亿美元。博通预计下一财季AI芯片收入将增至82亿美元。"
    assert [p for _, p in periods(ex, hans, "zh-Hans", date(2025, 12, 12))] == ["FY2025Q4", "FY2026Q1"]


def test_calendar_quarter_maps_a_fiscal_period_to_the_calendar():
    from extractors.fiscal import calendar_quarter
    assert calendar_quarter("FY2026Q3", "nvidia") == "2025Q3"
    assert calendar_quarter("FY2026Q4", "nvidia") == "2025Q4"     # Nov 2025 - Jan 2026
    assert calendar_quarter("FY2025Q4", "broadcom") == "2025Q3"   # Aug - Oct 2025
    assert calendar_quarter("FY2026Q1", "apple") == "2025Q4"      # Oct - Dec 2025
    assert calendar_quarter("FY2026", "microsoft") == "2026"      # Jul 2025 - Jun 2026: six months each; the later
    assert calendar_quarter("2025Q3", "nvidia") == "2025Q3"       # already calendar
    assert calendar_quarter("FY2026Q3", "acme") == "FY2026Q3"     # no calendar known: unchanged


def test_a_bad_fiscal_calendar_names_the_file_and_the_key(tmp_path, monkeypatch):
    import extractors.fiscal as fiscal
    bad = tmp_path / "fiscal_calendars.yaml"
    bad.write_text("calendars:\n  nvidia: {ends: 13}\n", encoding="utf-8")
    monkeypatch.setattr(fiscal, "FILE", bad)
    fiscal.calendars.cache_clear()
    try:
        with pytest.raises(DataFileError, match=r"calendars\.nvidia\.ends: 13 is not a month"):
            fiscal.calendars()
    finally:
        monkeypatch.undo()
        fiscal.calendars.cache_clear()


def test_period_docstring_examples_hold():
    import extractors.fiscal
    import extractors.periods
    for mod in (extractors.periods, extractors.fiscal):
        result = doctest.testmod(mod)
        assert result.attempted > 0 and result.failed == 0, mod.__name__
