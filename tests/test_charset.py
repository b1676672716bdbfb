"""Charsets: bytes whose labels lie or are missing still decode to the text that was written.
A small corpus of our own sentences in each encoding a news source has been seen to use."""
from __future__ import annotations

import pytest

from ingest.charset import decode, wide_encoding
from ingest.feeds import parse_feed

HANT = "台積電上月營收達新台幣二千六百億元，年增三成；法人預估第四季毛利率維持在五成九左右。"
HANS = "中芯国际第三季度营收同比增长百分之十六，毛利率回升至百分之二十二，公司预计下季度收入持平。"
WESTERN = "Café owners said the “résumé” of the season was naïve — prices rose 5½% while the euro hit €1.05."
JA = "東京株式市場で日経平均株価は続伸し、半導体関連株が買われた。終値は前日比312円高だった。"
ASCII_XML = '<?xml version="1.0"?><rss version="2.0"><channel><title>Chips</title></channel></rss>'


@pytest.mark.parametrize("text,encoding,content_type", [
    (HANT * 2, "big5", None),
    (HANT * 2, "big5", "text/html; charset=utf-8"),          # declared UTF-8, served Big5
    (HANS * 2, "gb18030", None),
    (HANS * 2, "gbk", "application/xml; charset=utf-8"),
    (WESTERN * 2, "cp1252", None),                           # undeclared Windows-1252
    (WESTERN * 2, "cp1252", "text/plain; charset=iso-8859-1"),
    (JA * 2, "shift_jis", None),
    (HANT, "utf-16-le", "application/xml; charset=utf-16le"),  # a label with its byte order, no BOM
    (HANS, "utf-16-be", "application/xml; charset=UTF-16BE"),
    (HANS, "utf-32-le", "text/xml; charset=utf-32le"),
    (ASCII_XML, "utf-16-le", None),                          # BOM-less, unlabelled: told by the NULs
    (ASCII_XML, "utf-16-be", None),
    (ASCII_XML, "utf-32-le", None),
    (ASCII_XML, "utf-32-be", None),
    ("plain ASCII text about chips and rates " * 3, "utf-16-le", None),
    (HANT + WESTERN, "utf-8", None),
])
def test_text_comes_back_as_written(text, encoding, content_type):
    got, _ = decode(text.encode(encoding), content_type)
    assert got == text


def test_a_utf8_body_is_not_mistaken_for_a_wide_encoding():
    assert wide_encoding(HANS.encode("utf-8")) is None
    assert wide_encoding(ASCII_XML.encode("utf-8")) is None


def test_an_ascii_only_utf16_feed_without_a_bom_is_read_not_rejected():
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Fab news</title>'
            "<guid>a</guid><description>Wafer starts rose 5% in November.</description></item></channel></rss>")
    parsed = parse_feed(feed.encode("utf-16-le"))
    assert [i.title for i in parsed.items] == ["Fab news"]
    assert parsed.items[0].text == "Wafer starts rose 5% in November."
