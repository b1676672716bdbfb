"""Who a number is about and what it is compared with: versus, scope boundaries, reporters."""
from __future__ import annotations

import pytest

from extractors.pipeline import Extractor


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def _claims(ex, text, lang=None):
    return [(c["quote"], c["subject"], c["versus"]) for c in ex.extract(text, lang=lang)["claims"]]


@pytest.mark.parametrize("text, quote, subject, versus", [
    ("Trainium3 UltraServer offers up to 4.4x the compute of a Trn2 UltraServer.", "4.4x",
     "trn3_ultraserver", "trn2_ultraserver"),
    ("輝達市值較AMD高出3倍。", "3倍", "nvidia", "amd"),
    ("到2027年，NVIDIA最強晶片的效能可能比華為高出17倍。", "17倍", "nvidia", "huawei"),
    ("英伟达最新机柜的推理算力为上一代GB300 NVL72的3.3倍。", "3.3倍", None, "nvl72"),
    ("AMD's new accelerator is 20% slower than NVIDIA's B200 on training.", "20%", "amd", "b200"),
])
def test_a_comparison_keeps_its_counterpart(ex, text, quote, subject, versus):
    got = {q: (s, v) for q, s, v in _claims(ex, text)}
    assert quote in got, got
    assert got[quote][1] == versus
    if subject is not None:
        assert got[quote][0] == subject


def test_the_counterparts_own_figure_has_no_counterpart(ex):
    # 96% is set against GPT-5; 94% is GPT-5's own score, compared with nothing.
    got = {q: (s, v) for q, s, v in _claims(ex, "在数学测试中，DeepSeek-V3得分96%，高于GPT-5的94%。")}
    assert got["96%"] == ("deepseek_v3", "gpt_5")
    assert got["94%"] == ("gpt_5", None)


def test_a_number_with_no_comparison_has_no_counterpart(ex):
    for _, _, versus in _claims(ex, "NVIDIA reported revenue of $57 billion, and AMD guided to $9.6 billion."):
        assert versus is None


def test_a_briefing_story_does_not_inherit_the_last_company(ex):
    text = ("Alibaba shares rose 3% in Hong Kong on Monday.\n"
            "A fire in a residential block killed 128 people, officials said.")
    got = {q: s for q, s, _ in _claims(ex, text, lang="en")}
    assert got == {"3%": "alibaba", "128 people": None}, got


def test_the_article_topic_carries_into_a_new_paragraph(ex):
    text = ("台積電今日公布上月營收。台積電表示，先進製程需求強勁。\n"
            "營收達新台幣3,000億元，年增三成。\n")
    got = _claims(ex, text)
    assert [s for _, s, _ in got] == ["tsmc", "tsmc"], got


def test_a_bullet_about_a_chip_is_not_given_to_the_previous_bullets_company(ex):
    text = ("Highlights from the keynote:\n- Google Cloud will offer the new TPUs to customers in 2026.\n"
            "- The new GPU delivers 20 petaflops of FP4 compute.\n")
    got = {q: s for q, s, _ in _claims(ex, text, lang="en")}
    assert got.get("20 petaflops") != "google_cloud", got
