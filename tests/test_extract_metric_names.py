"""Metrics a reporter names in all three scripts, and the decoys that share a word with them:
a bond's yield is not a fab's yield, 毛利率 is not 營益率, an analyst's outlook is not a result."""
from __future__ import annotations

import pytest

from extractors.pipeline import Extractor


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def _metric_of(ex, text, quote):
    got = {c["quote"]: c["metric"] for c in ex.extract(text)["claims"]}
    assert quote in got, f"{quote!r} not read from {text!r}: {got}"
    return got[quote]


@pytest.mark.parametrize("text, quote, metric", [
    # margins: gross and operating are told apart in the same sentence
    ("台積電第三季毛利率為59.5%，營業利益率為50.6%。", "59.5%", "gross_margin"),
    ("台積電第三季毛利率為59.5%，營業利益率為50.6%。", "50.6%", "operating_margin"),
    ("中芯国际三季度毛利率为22.0%，营业利润率为10.1%。", "10.1%", "operating_margin"),
    ("Nvidia's gross margin was 73.4%.", "73.4%", "gross_margin"),
    ("The division's operating margin reached 22%.", "22%", "operating_margin"),
    # benchmark scores, the benchmark named outside the number's clause
    ("在AIME 2025測試中，V3.2得分96.0%。", "96.0%", "benchmark_score"),
    ("在GPQA测试中，该模型得分84.1%。", "84.1%", "benchmark_score"),
    ("On SWE-bench Verified, Claude Sonnet 4.5 scored 77.2%.", "77.2%", "benchmark_score"),
    # manufacturing yield against a bond's yield
    ("三星2奈米良率約55%至60%。", "55%至60%", "yield_rate"),
    ("英特尔18A良率约为六成。", "六成", "yield_rate"),
    ("Intel's 18A manufacturing yields are near 60%.", "60%", "yield_rate"),
    ("The 10-year Treasury yield rose to 4.2%.", "4.2%", "yield"),
    ("美國10年期公債殖利率升至4.2%。", "4.2%", "yield"),
    # policy rates and their moves
    ("聯準會將聯邦基金利率降至3.5%至3.75%。", "3.5%至3.75%", "policy_rate"),
    ("中国人民银行维持一年期贷款市场报价利率3.0%不变。", "3.0%", "policy_rate"),
    ("The Fed cut rates by 0.25 percentage point.", "0.25 percentage point", "policy_rate_change"),
    ("金管局減息0.25個百分點。", "0.25個百分點", "policy_rate_change"),
    # results, returns to shareholders, spending, orders
    ("公司稅後純益4,523億元。", "4,523億元", "net_income"),
    ("The company reported net income of $5.1 billion.", "$5.1 billion", "net_income"),
    ("Apple approved a $100 billion buyback.", "$100 billion", "buyback"),
    ("公司董事会批准50亿元股份回购计划。", "50亿元", "buyback"),
    ("台积电全年资本支出为400亿美元。", "400亿美元", "capex"),
    ("Meta raised its capital expenditure forecast to $72 billion.", "$72 billion", "capex"),
    ("AI伺服器訂單儲備達155億美元。", "155億美元", "backlog"),
    ("Oracle's backlog grew to $523 billion.", "$523 billion", "backlog"),
    ("公司今年新接订单达80亿元。", "80亿元", "orders"),
    ("台積電預估第四季營收介於322億至334億美元。", "322億至334億美元", "guidance"),
    ("Nvidia expects revenue of $65 billion for the fourth quarter.", "$65 billion", "guidance"),
    ("公司第三季營收為3,310億元。", "3,310億元", "revenue"),
    # users, downloads, tokens, training compute
    ("Gemini月活躍用戶突破6.5億。", "6.5億", "users"),
    ("ChatGPT每周活跃用户达8亿人。", "8亿人", "users"),
    ("Sora下載量突破100萬次。", "100萬次", "downloads"),
    ("DeepSeek-V3的訓練耗費278.8萬H800 GPU小時。", "278.8萬H800 GPU小時", "training_compute"),
])
def test_a_named_metric_is_read_in_each_script(ex, text, quote, metric):
    assert _metric_of(ex, text, quote) == metric
