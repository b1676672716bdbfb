"""A synthetic news corpus in the project's domain, for benchmarks: zh-Hant, zh-Hans and English
articles about chips, earnings and markets, with realistic length and number density.

Deterministic for a given seed, so two runs measure the same work.
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from extractors.fold import to_simplified

COMPANIES_ZH = ["輝達", "台積電", "超微", "美光", "英特爾", "博通", "三星", "華為", "安森美", "高通", "邁威爾", "谷歌"]
COMPANIES_EN = ["NVIDIA", "TSMC", "AMD", "Micron", "Intel", "Broadcom", "Samsung", "Huawei", "onsemi", "Qualcomm",
                "Marvell", "Google"]
ZH_SENTENCES = [
    "{c}第{q}季營收為{m}億美元，年增{p}%，高於市場預期。",
    "分析師將{c}的目標價從{a}美元上調至{b}美元，較昨日收盤價高出{p}%。",
    "{c}股價今年以來上漲約{p}%，市值達到{t}兆美元。",
    "{c}預計到{y}年下半年產能將達{k}萬片，約為競爭對手的{r}倍。",
    "該公司新晶片採用{n}奈米製程，整合{g} GB的HBM記憶體，頻寬達{bw} TB/s。",
    "{c}表示，將在未來兩年投資逾{m}億美元擴建資料中心。",
    "受需求放緩影響，{c}宣布裁員{lo}至{hi}人，毛利率降至{p}%。",
    "報告指出，{c}的出貨量到{y}年有望達到{k}萬顆。",
    "市場人士認為，{c}在推理晶片領域的布局將決定其下一階段的成長動能，投資人仍需觀察軟體生態的進展。",
    "此外，供應鏈消息指出先進封裝產能依然吃緊，相關設備交期延長。",
    "業界普遍認為，推理需求的成長正在改變資料中心的採購邏輯，系統整合能力比單一晶片效能更受重視。",
    "{c}管理層在法說會上強調，客戶對新平台的詢問度明顯升溫，但也坦言短期內仍受制於電力與散熱條件。",
    "部分法人對此看法保守，認為估值已反映多數利多，後續仍要觀察訂單能否如期轉化為營收。",
    "與此同時，雲端服務商持續加碼自研晶片，試圖降低對單一供應商的依賴，競爭格局因而更加複雜。",
    "{c}並未透露具體客戶名單，僅表示相關合作將在明年逐步擴大，並強化軟體工具鏈的支援。",
    "市場關注的焦點逐漸從訓練轉向推理，互連頻寬與記憶體層級的設計成為新的差異化來源。",
    "業者指出，光通訊模組的規格升級速度加快，銅纜在高速傳輸下的限制愈發明顯。",
    "監管環境的變化也為產業帶來不確定性，出口管制政策的走向仍是投資人關注的變數。",
]
EN_SENTENCES = [
    "{c} reported quarterly revenue of ${m} billion, up {p}% from a year earlier.",
    "An analyst raised the price target on {c} from ${a} to ${b}, about {p}% above the last close.",
    "Shares of {c} have risen about {p}% this year, giving it a market value of ${t} trillion.",
    "{c} expects capacity to reach {k},000 wafers a month by the second half of {y}.",
    "The new chip is built on a {n}nm process with {g} GB of HBM and {bw} TB/s of bandwidth.",
    "{c} said it would invest more than ${m} billion in data centres over the next two years.",
    "{c} plans to cut {lo} to {hi} jobs as demand cools, and its margin fell to {p}%.",
    "Investors are watching whether software support keeps pace with the hardware roadmap.",
    "Supply-chain sources said advanced packaging capacity remains tight.",
]


def _fill(template: str, rng: random.Random, company: str) -> str:
    lo = rng.randint(10, 60) * 100
    return template.format(
        c=company, q=rng.randint(1, 4), m=rng.randint(2, 900), p=rng.randint(1, 60), a=rng.randint(20, 90),
        b=rng.randint(91, 200), t=round(rng.uniform(0.5, 5), 2), y=rng.choice([2026, 2027, 2028]),
        k=rng.randint(5, 900), r=rng.randint(2, 20), n=rng.choice([2, 3, 5]), g=rng.choice([96, 144, 192, 288]),
        bw=round(rng.uniform(2, 9), 1), lo=lo, hi=lo + rng.randint(5, 30) * 100)


def article(i: int, rng: random.Random) -> tuple[str, str, str]:
    """(lang, title, text) for article i: about 40% zh-Hant, 30% zh-Hans, 30% English."""
    r = rng.random()
    n = rng.randint(6, 14)
    if r < 0.7:
        c = rng.choice(COMPANIES_ZH)
        text = "".join(_fill(rng.choice(ZH_SENTENCES), rng, c) for _ in range(n)) + f"（編號{i}）"
        title = f"{c}最新動態{i}"
        if r >= 0.4:
            return "zh-Hans", to_simplified(title), to_simplified(text)
        return "zh-Hant", title, text
    c = rng.choice(COMPANIES_EN)
    text = " ".join(_fill(rng.choice(EN_SENTENCES), rng, c) for _ in range(n)) + f" (Ref {i}.)"
    return "en", f"{c} update {i}", text


def feed(feed_no: int, per_feed: int, seed: int = 7) -> bytes:
    """One RSS 2.0 feed of `per_feed` full-text items."""
    rng = random.Random(seed * 100_003 + feed_no)
    start = datetime(2025, 12, 1, tzinfo=UTC)
    items = []
    for j in range(per_feed):
        i = feed_no * per_feed + j
        lang, title, text = article(i, rng)
        when = format_datetime(start + timedelta(minutes=i))
        items.append(f"<item><title>{escape(title)}</title><link>https://bench.example.com/{i}</link>"
                     f"<guid>bench-{i}</guid><pubDate>{when}</pubDate>"
                     f"<description>{escape(text[:120])}</description>"
                     f"<content:encoded>{escape('<p>' + text + '</p>')}</content:encoded></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>bench</title>'
            f'<link>https://bench.example.com/</link><description>synthetic</description>{"".join(items)}'
            '</channel></rss>').encode()


def texts(n: int, seed: int = 11) -> list[tuple[str, str]]:
    """(lang, text) pairs for extraction-only benchmarks."""
    rng = random.Random(seed)
    return [(lang, text) for lang, _, text in (article(i, rng) for i in range(n))]
