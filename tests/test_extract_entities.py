"""The gazetteer against names real news uses: one sentence per kind of name in each script,
sentences where an ordinary word must stay an ordinary word, and checks on the alias list itself."""
from __future__ import annotations

import re

import pytest
from spacy.lang.en.stop_words import STOP_WORDS

from extractors.fold import to_simplified
from extractors.gazetteer import case_sensitive, load_entities


@pytest.fixture(scope="module")
def ex():
    from extractors.pipeline import get_extractor
    return get_extractor()


def ids(ex, text: str, lang: str) -> list[str]:
    return [e["id"] for e in ex.extract(text, lang=lang)["entities"]]


# (kind, language, sentence, entity ids in order of appearance)
SENTENCES = [
    ("taiwan tech", "zh-Hant", "聯發科與廣達周五走高，和碩、英業達、聯電及力積電收黑，世芯-KY漲停。",
     ["mediatek", "quanta_computer", "pegatron", "inventec", "umc", "psmc", "alchip"]),
    ("taiwan tech", "zh-Hans", "联发科、华硕和宏碁的笔电出货回升，国巨与欣兴也受惠，中华电信营收持平。",
     ["mediatek", "asus", "acer", "yageo", "unimicron", "chunghwa_telecom"]),
    ("taiwan tech", "en", "Shares of MediaTek, Wiwynn and Accton rose while Nanya Technology, Winbond and "
     "Macronix fell; Fubon Financial and CTBC Financial ended flat.",
     ["mediatek", "wiwynn", "accton", "nanya_technology", "winbond", "macronix", "fubon_financial",
      "ctbc_financial"]),
    ("hong kong and mainland", "zh-Hant", "港交所、騰訊控股與美團領跌，小米集團、比亞迪及寧德時代反彈，匯豐控股持平。",
     ["hkex", "tencent", "meituan", "xiaomi", "byd", "catl", "hsbc"]),
    ("hong kong and mainland", "zh-Hans", "中芯国际和华虹半导体扩产，北方华创与中微公司接单，"
     "中际旭创、新易盛和立讯精密走强。",
     ["smic", "hua_hong", "naura", "amec", "innolight", "eoptolink", "luxshare"]),
    ("hong kong and mainland", "en", "Lenovo Group, JD.com, Kuaishou and NetEase reported, while CNOOC, "
     "PetroChina, Sinopec and Zijin Mining tracked commodity prices.",
     ["lenovo", "jd_com", "kuaishou", "netease", "cnooc", "petrochina", "sinopec", "zijin_mining"]),
    ("models", "zh-Hant", "深度求索發布DeepSeek-V3.2-Speciale，成績超過Gemini 3 Pro與GPT-5.1。",
     ["deepseek", "deepseek_v3_2_speciale", "gemini_3_pro", "gpt_5_1"]),
    ("models", "zh-Hans", "字节跳动的豆包、腾讯混元与通义千问之外，月之暗面推出Kimi K2 Thinking，智谱推出GLM-4.6。",
     ["bytedance", "doubao", "hunyuan", "qwen", "moonshot_ai", "kimi_k2_thinking", "zhipu_ai", "glm_4_6"]),
    ("models", "en", "Claude Sonnet 4.5 led Llama 3.1 405B and Llama 4 Maverick, and Grok 4 edged Qwen3-Max.",
     ["claude_sonnet_4_5", "llama_3_1_405b", "llama_4_maverick", "grok_4", "qwen3_max"]),
    ("chips and systems", "en", "NVIDIA's Vera Rubin NVL144 pairs the Vera CPU over NVLink-C2C with Rubin CPX; "
     "Intel with 18A and AMD with the MI325X for now.",
     ["nvidia", "vera_rubin_nvl144", "vera_cpu", "nvlink_c2c", "rubin_cpx", "intel", "intel_18a", "amd", "mi325x"]),
    ("chips and systems", "zh-Hant", "輝達H800與A100之後，谷歌的TPU v4和Ironwood TPU接力。",
     ["nvidia", "h800", "a100", "google", "tpu_v4", "tpu_v7_ironwood"]),
    ("indexes", "zh-Hant", "加權指數收漲1%，櫃買指數漲2%；恒生科技指數跌3%，國企指數跌1.5%，"
     "KOSPI指數與日經225指數走高。",
     ["taiex", "tpex_index", "hang_seng_tech_index", "hang_seng_china_enterprises_index", "kospi", "nikkei_225"]),
    ("indexes", "zh-Hans", "沪深300指数涨1%，上证指数涨0.5%，深证成指、创业板指与科创50指数同步上扬。",
     ["csi_300", "shanghai_composite", "shenzhen_component_index", "chinext_index", "star_50"]),
    ("indexes", "en", "The FTSE 100 and TOPIX gained while the VIX rose and the Hang Seng Tech Index slipped.",
     ["ftse_100", "topix", "vix", "hang_seng_tech_index"]),
    ("central banks and agencies", "zh-Hant", "金管局跟隨聯準會，台灣央行按兵不動，"
     "主計總處上修成長率，政府統計處公布零售。",
     ["hkma", "federal_reserve", "cbc_taiwan", "dgbas", "hk_census_and_statistics_department"]),
    ("central banks and agencies", "zh-Hans", "发改委与中国证监会发文，海关总署公布出口，国家统计局公布CPI。",
     ["ndrc", "csrc", "china_customs", "national_bureau_of_statistics"]),
    ("central banks and agencies", "en", "The Bank of Korea and the HKMA held rates; the Bureau of Economic "
     "Analysis revised GDP.",
     ["bank_of_korea", "hkma", "bea"]),
    ("treasuries and commodities", "zh-Hant", "美國10年期公債殖利率升至4.5%，鐵礦砂與倫鎳走低，鋁價持穩。",
     ["us_10_year_treasury", "iron_ore", "nickel", "aluminium"]),
    ("treasuries and commodities", "zh-Hans", "10年期美债收益率回落，2年期美债同步下行，铁矿石与碳酸锂反弹。",
     ["us_10_year_treasury", "us_2_year_treasury", "iron_ore", "lithium_carbonate"]),
    ("treasuries and commodities", "en", "The 10-year Treasury yield fell as iron ore and LME nickel slid.",
     ["us_10_year_treasury", "iron_ore", "nickel"]),
    ("sources", "zh-Hant", "根據集邦與Counterpoint Research，野村和麥格理上調目標價，凱基證券看好。",
     ["trendforce", "counterpoint_research", "nomura", "macquarie", "kgi_securities"]),
    ("sources", "zh-Hans", "中金公司与中信证券援引万得数据，QuestMobile统计显示用户增长。",
     ["cicc", "citic_securities", "wind_information", "questmobile"]),
    ("sources", "en", "Canalys, Omdia and Sensor Tower counted; FactSet and LSEG compiled estimates for Daiwa.",
     ["canalys", "omdia", "sensor_tower", "factset", "lseg", "daiwa"]),
]


@pytest.mark.parametrize("kind,lang,text,expected", SENTENCES, ids=[f"{k} {lang}" for k, lang, _, _ in SENTENCES])
def test_names_real_news_uses_resolve_to_their_ids(ex, kind, lang, text, expected):
    assert ids(ex, text, lang) == expected


@pytest.mark.parametrize("lang,text,expected", [
    ("zh-Hans", "这让人联想到去年的行情。", []),                    # 聯想 the verb, not Lenovo
    ("zh-Hans", "该设备达到世界先进水平。", []),                    # not Vanguard International Semiconductor
    ("zh-Hant", "文化創意產業與平安夜買氣都不錯，吉利數字受歡迎。", []),  # GUC, Ping An, Geely
    ("zh-Hant", "外交部說友邦巴拉圭支持台灣。", ["taiwan"]),          # 友邦 the ally, not AIA
    ("zh-Hans", "中微子实验和国企指出的改革方向。", []),              # AMEC, the HSCEI
    ("zh-Hans", "中金所公布数据，中金黄金上涨。", ["cffex", "zhongjin_gold"]),  # neither is CICC
    ("zh-Hant", "中華電力公布業績，中信金融資產虧損。", ["clp_holdings", "citic_financial_amc"]),
    ("en", "The wind farm stores a gigabyte of data; the snowflake and the cadence are words.", []),
    ("en", "IT spending rose, and now the Schedule 14A is on file.", []),
])
def test_ordinary_words_and_longer_names_are_not_read_as_entities(ex, lang, text, expected):
    assert ids(ex, text, lang) == expected


def test_traditional_and_simplified_spellings_resolve_alike(ex):
    pairs = [("聯發科", "联发科"), ("寧德時代", "宁德时代"), ("滙豐", "汇丰"), ("恆生科技指數", "恒生科技指数")]
    for trad, simp in pairs:
        assert ids(ex, trad, "zh-Hant") == ids(ex, simp, "zh-Hans") != []


ALIASES = [(e.id, str(a)) for e in load_entities() for a in [e.name, *e.aliases]]
# single Chinese characters are only metals, which Chinese news writes as one character (銅, 鋁)
ONE_CHARACTER = {"銅", "铜", "鈧", "钪", "鎳", "镍", "鋁", "铝", "鈀", "钯", "鉑", "铂"}
# English words each entity's notes in entities.yaml say are left out; none may come back
LEFT_OUT = {"arm", "now", "wind", "snowflake", "cadence", "gigabyte", "chroma", "counterpoint", "coherent",
            "sunrise", "instinct", "bedrock", "transformer", "tomahawk", "ironwood", "grace", "vera", "fox",
            "quanta", "dow", "ernie", "feynman", "helios"}
# capitals that are left out even though they would match only in capitals
LEFT_OUT_CAPS = {"ON", "IT", "US", "MS", "GM", "MU", "LI", "DE", "JD", "BEA", "SOX", "ARM", "ASE", "ASX", "BIS",
                 "CAC", "CFR", "FII", "NEC", "TEL", "CRM", "NOW", "CBC", "FSC", "EMC", "BOE"}
# Chinese words and phrases that are left out for the same reason (folded to Simplified)
LEFT_OUT_ZH = {"联想", "世界先进", "创意", "平安", "吉利", "友邦", "中国石油", "中国石化", "央行", "证监会", "南亚",
               "国泰", "理想", "曙光", "中微", "大和", "里昂", "富国", "元宝", "统计处", "国企指"}


def test_no_alias_is_a_single_character_except_chinese_metal_names():
    short = {a for _, a in ALIASES if len(a.strip()) < 2}
    assert short <= ONE_CHARACTER, short - ONE_CHARACTER


def test_two_letter_latin_aliases_match_only_in_capitals():
    two = {a for _, a in ALIASES if re.fullmatch(r"[A-Za-z0-9]{2}", a)}
    # "o3" is how OpenAI writes the model; case-folded it also reads "O3", rare in this news.
    assert {a for a in two if not a.isupper()} <= {"o3"}


def test_no_alias_is_a_common_english_word_or_a_word_left_out_on_purpose():
    """Short all-capital aliases match only as written (SEMI, not "semi"), so only the listed
    capitals are refused for them; every other alias is refused case-folded."""
    bad = [(eid, a) for eid, a in ALIASES
           if (a in LEFT_OUT_CAPS) or (not case_sensitive(a) and a.lower() in STOP_WORDS | LEFT_OUT)]
    assert bad == []


def test_no_alias_is_a_chinese_word_left_out_on_purpose():
    bad = [(eid, a) for eid, a in ALIASES if to_simplified(a) in LEFT_OUT_ZH]
    assert bad == []


def test_every_folded_alias_names_one_entity():
    owner: dict[str, str] = {}
    clashes = []
    for eid, a in ALIASES:
        key = to_simplified(a.strip()).lower()
        if owner.setdefault(key, eid) != eid:
            clashes.append((a, owner[key], eid))
    assert clashes == []
