"""Fetching, parsing and loading against a real HTTP server on 127.0.0.1 and a real DuckDB file."""
from __future__ import annotations

import time
from datetime import datetime

import duckdb
import pytest

from extractors.fold import to_simplified
from flows.config import SourceConfig
from ingest.exports import parse_export
from ingest.fetch import FetchError, TransientFetchError, fetch_url
from ingest.sources import fetch_source
from tests.conftest import EXAMPLES, fast_fetch, make_settings
from tests.httpserver import respond, sequence, stall
from warehouse import load
from warehouse.db import read_connection

STORY_HANT = ("根據美國對外關係委員會的報告，輝達最好的AI晶片到2027年下半年將比華為強大約17倍，"
              "華為2026年的產能約為輝達的4%。")


def rss(items: list[tuple[str, str, str]], encoding: str = "utf-8", declared: str | None = "utf-8") -> bytes:
    """A small RSS 2.0 feed: items are (guid, title, body)."""
    decl = f'<?xml version="1.0" encoding="{declared}"?>' if declared else '<?xml version="1.0"?>'
    entries = "".join(
        f"<item><title>{t}</title><link>https://news.example.com/{g}?utm_source=x#top</link><guid>{g}</guid>"
        f"<pubDate>Wed, 10 Dec 2025 08:00:00 GMT</pubDate><description>{b}</description></item>"
        for g, t, b in items)
    xml = f'{decl}<rss version="2.0"><channel><title>T</title><link>https://news.example.com/</link>' \
          f"<description>d</description>{entries}</channel></rss>"
    return xml.encode(encoding)


def feed_source(name: str, url: str, **kw) -> SourceConfig:
    return SourceConfig(name=name, kind="feed", url=url, follow_links=False, **kw)


def ingest(settings, source: SourceConfig, run_id: str = "r1") -> tuple[object, dict]:
    etag, lm = load.source_state(settings.db_path, source.name, source.location)
    res = fetch_source(source, settings, etag, lm)
    if res.status == "failed":
        load.record_failure(settings.db_path, run_id, res.source, res.started_at, res.error, res.http_status, res.url)
        return res, {"new": 0, "duplicates": 0}
    return res, load.load_fetch(settings.db_path, run_id, res.source, res.fetch_row(), res.articles)


def counts(db) -> dict:
    with read_connection(db) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in ("articles", "article_sources", "fetches", "sources")}


def test_second_fetch_is_a_304_that_costs_nothing(server, tmp_path):
    body = rss([("a1", "Title", STORY_HANT)])
    url = server.route("/feed.xml", static_bytes(body, etag='"v1"'))
    settings = make_settings(tmp_path, [])
    src = feed_source("chips", url)
    first, c1 = ingest(settings, src, "r1")
    second, c2 = ingest(settings, src, "r2")
    assert first.status == "ok" and c1["new"] == 1
    assert second.status == "not_modified" and second.articles == [] and c2 == {"new": 0, "duplicates": 0}
    assert server.requests[-1][1].get("If-None-Match") == '"v1"'
    assert counts(settings.db_path)["articles"] == 1


def test_a_source_moved_to_a_new_url_is_read_in_full_not_answered_from_the_old_etag(server, tmp_path):
    """Both URLs tag their feeds "v1" (a CDN's scheme): sending the old URL's ETag to the new
    one would get a 304 and hide the new feed's stories."""
    old = server.route("/old.xml", static_bytes(rss([("o1", "Old", STORY_HANT)]), etag='"v1"'))
    new = server.route("/new.xml", static_bytes(rss([("n1", "New", "輝達市值今年增加30%。")]), etag='"v1"'))
    settings = make_settings(tmp_path, [])
    ingest(settings, feed_source("chips", old), "r1")
    moved, c = ingest(settings, feed_source("chips", new), "r2")
    assert moved.status == "ok" and c["new"] == 1
    assert "If-None-Match" not in server.requests[-1][1]
    # the run's own path: start_run hands out validators only for the configured location
    assert load.start_run(settings.db_path, "r3", None, {"chips": new}) == {"chips": ('"v1"', None)}
    assert load.start_run(settings.db_path, "r4", None, {"chips": old}) == {}
    again, c = ingest(settings, feed_source("chips", new), "r5")  # the new URL's own ETag works as before
    assert again.status == "not_modified" and c["new"] == 0


def test_a_304_keeps_the_validators_but_a_move_drops_them(server, tmp_path):
    url = server.route("/f.xml", static_bytes(rss([("a", "A", STORY_HANT)]), etag='"e1"'))
    settings = make_settings(tmp_path, [])
    ingest(settings, feed_source("s", url), "r1")
    ingest(settings, feed_source("s", url), "r2")  # a 304: no validators in the answer
    assert load.source_state(settings.db_path, "s", url) == ('"e1"', None)
    elsewhere = server.route("/plain.xml", static_bytes(rss([("b", "B", "乙公司裁員200人。")])))  # no ETag
    ingest(settings, feed_source("s", elsewhere), "r3")
    assert load.source_state(settings.db_path, "s", elsewhere) == (None, None)
    assert load.source_state(settings.db_path, "s", url) == (None, None)


def static_bytes(body: bytes, etag: str | None = None, content_type: str = "application/rss+xml"):
    def handler(h):
        if etag and h.headers.get("If-None-Match") == etag:
            respond(304, b"", {"ETag": etag})(h)
        else:
            respond(200, body, {"Content-Type": content_type, **({"ETag": etag} if etag else {})})(h)
    return handler


def test_a_500_is_retried_and_then_succeeds(server):
    url = server.route("/flaky", sequence(respond(500), respond(200, b"fine")))
    got = fetch_url(url, fast_fetch(retries=2))
    assert got.body == b"fine" and got.attempts == 2 and server.hits["/flaky"] == 2


def test_a_404_is_not_retried(server):
    url = server.route("/gone", respond(404))
    with pytest.raises(FetchError) as e:
        fetch_url(url, fast_fetch(retries=3))
    assert not isinstance(e.value, TransientFetchError)
    assert str(e.value) == "HTTP 404" and server.hits["/gone"] == 1


def test_a_timeout_is_recorded_and_the_other_sources_still_load(server, tmp_path):
    slow = server.route("/slow.xml", stall(3.0))
    good = server.route("/good.xml", static_bytes(rss([("g1", "Good", STORY_HANT)])))
    settings = make_settings(tmp_path, [], fetch=fast_fetch(read_timeout=0.5, retries=1))
    bad, _ = ingest(settings, feed_source("slow", slow))
    ok, c = ingest(settings, feed_source("good", good))
    assert bad.status == "failed" and "timeout" in bad.error
    assert ok.status == "ok" and c["new"] == 1
    with read_connection(settings.db_path) as con:
        rows = dict(con.execute("SELECT source, status FROM fetches").fetchall())
        err = con.execute("SELECT error FROM fetches WHERE source = 'slow'").fetchall()[0][0]
    assert rows == {"slow": "failed", "good": "ok"}
    assert "read timeout" in err and "2 attempts" in err


def test_a_malformed_feed_keeps_the_items_that_parsed(server, tmp_path):
    body = rss([("m1", "One", "第一則新聞的內容。"), ("m2", "Two", "第二則新聞的內容。")])
    broken = body.replace(b"</channel></rss>", b"<item><title>Three</title><description>unclosed")
    url = server.route("/broken.xml", static_bytes(broken))
    settings = make_settings(tmp_path, [])
    res, c = ingest(settings, feed_source("broken", url))
    assert res.status == "partial"
    assert "malformed feed" in res.error
    assert c["new"] >= 2
    with read_connection(settings.db_path) as con:
        assert con.execute("SELECT status, error IS NOT NULL FROM fetches").fetchall() == [("partial", True)]


@pytest.mark.parametrize("encoding", ["big5", "gbk"])
def test_chinese_feeds_mislabelled_as_utf8_decode_correctly(server, tmp_path, encoding):
    text = STORY_HANT if encoding == "big5" else to_simplified(STORY_HANT)
    body = rss([("c1", "報告" if encoding == "big5" else "报告", text)], encoding=encoding, declared="utf-8")
    url = server.route("/cn.xml", static_bytes(body, content_type="application/rss+xml; charset=utf-8"))
    settings = make_settings(tmp_path, [])
    res, c = ingest(settings, feed_source("cn", url))
    assert res.status == "ok", res.error
    assert res.articles[0]["text"] == text
    assert res.articles[0]["lang"] == ("zh-Hant" if encoding == "big5" else "zh-Hans")


def test_the_same_story_in_two_scripts_in_two_feeds_is_stored_once_with_two_links(server, tmp_path):
    hant = server.route("/tw.xml", static_bytes(rss([("tw1", "輝達領先", STORY_HANT)])))
    story_hans = to_simplified(STORY_HANT).replace("，", ", ")
    hans = server.route("/cn.xml", static_bytes(rss([("cn1", "辉达领先", story_hans)])))
    settings = make_settings(tmp_path, [])
    _, c1 = ingest(settings, feed_source("tw", hant))
    _, c2 = ingest(settings, feed_source("cn", hans))
    assert c1 == {"new": 1, "duplicates": 0} and c2 == {"new": 0, "duplicates": 1}
    with read_connection(settings.db_path) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == 1
        links = con.execute("SELECT source, item_key FROM article_sources ORDER BY source").fetchall()
    assert links == [("cn", "https://news.example.com/cn1"), ("tw", "https://news.example.com/tw1")]


def test_loading_the_same_batch_twice_changes_nothing(server, tmp_path):
    items = [("x1", "A", "甲公司營收成長10%。"), ("x2", "B", "乙公司裁員200人。")]
    url = server.route("/f.xml", static_bytes(rss(items)))
    settings = make_settings(tmp_path, [])
    src = feed_source("f", url)
    res = fetch_source(src, settings)
    load.load_fetch(settings.db_path, "r1", res.source, res.fetch_row(), res.articles)
    before = counts(settings.db_path)
    again = load.load_fetch(settings.db_path, "r1", res.source, res.fetch_row(), res.articles + res.articles)
    after = counts(settings.db_path)
    assert again["new"] == 0
    assert {k: v for k, v in after.items() if k != "fetches"} == {k: v for k, v in before.items() if k != "fetches"}


def test_text_export_in_the_seed_format():
    parsed = parse_export((EXAMPLES / "exports" / "2025-12-10.txt").read_text(encoding="utf-8"))
    top = [i for i in parsed.items if i.parent_key is None]
    stories = [i for i in parsed.items if i.parent_key is not None]
    assert len(top) == 4 and all(i.tag == "NVIDIA" for i in parsed.items)
    assert [i.publisher for i in top] == ["彼得全球科技觀察", "路透財經早報", "硬體世界", "全球企業動態"]
    bundle = [i for i in top if i.is_bundle]
    assert len(bundle) == 1 and bundle[0].publisher == "路透財經早報"
    assert len(stories) >= 10 and all(s.parent_key == bundle[0].key for s in stories)
    assert any("H200" in s.text for s in stories)
    assert all(not i.text.endswith("）") and not i.text.endswith(")") for i in top)


def test_export_parser_on_a_small_hand_written_file():
    text = ("#CHIPS\n標題一\n內文一，說了一件事。（甲報）\n"
            "標題二\n要聞--第一則消息內容--第二則消息內容--第三則消息內容 (乙報)\n")
    items = parse_export(text).items
    assert [(i.title, i.publisher, i.is_bundle) for i in items if not i.parent_key] == [
        ("標題一", "甲報", False), ("標題二", "乙報", True)]
    assert [i.text for i in items if i.parent_key] == ["要聞", "第一則消息內容", "第二則消息內容", "第三則消息內容"]


def test_canonical_urls_drop_tracking_and_fragments(server, tmp_path):
    url = server.route("/u.xml", static_bytes(rss([("u1", "A", "某公司宣布新產品。")])))
    res = fetch_source(feed_source("u", url), make_settings(tmp_path, []))
    assert res.articles[0]["canonical_url"] == "https://news.example.com/u1"


def test_pages_give_main_text_title_and_published_time():
    from ingest.pages import parse_page
    page = parse_page((EXAMPLES / "pages" / "aws-trainium3.html").read_bytes())
    assert "Trainium3" in page.title
    assert "2.52" in page.text and "144" in page.text
    for junk in ("cookie", "Subscribe", "function(", "Copyright"):
        assert junk.lower() not in page.text.lower(), junk
    assert page.published_at == datetime(2025, 12, 2, 17, 0)


def test_a_newer_schema_is_refused(tmp_path):
    from warehouse.db import LATEST_VERSION, WarehouseError, write_connection
    db = tmp_path / "w.duckdb"
    with write_connection(db) as con:
        con.execute("INSERT INTO schema_version VALUES (?, 'future', now())", [LATEST_VERSION + 1])
    with pytest.raises(WarehouseError) as e:
        with write_connection(db):
            pass
    assert f"schema version {LATEST_VERSION + 1}, newer than this thesiswatch supports" in str(e.value)


def test_a_fresh_file_is_migrated_to_the_latest_version(tmp_path):
    from warehouse.db import LATEST_VERSION, write_connection
    with write_connection(tmp_path / "w.duckdb"):
        pass
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    versions = [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()]
    assert versions == list(range(1, LATEST_VERSION + 1))


def test_a_summary_only_entry_gets_the_linked_pages_main_text(server, tmp_path):
    page = (EXAMPLES / "pages" / "aws-trainium3.html").read_bytes()
    page_url = server.route("/story.html", respond(200, page, {"Content-Type": "text/html; charset=utf-8"}))
    feed = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
            f"<link>{server.base}/</link><description>d</description><item><title>AWS chip</title>"
            f"<link>{page_url}</link><guid>s1</guid><description>AWS ships a new chip.</description>"
            f"</item></channel></rss>").encode()
    url = server.route("/summary.xml", static_bytes(feed))
    settings = make_settings(tmp_path, [])
    on = fetch_source(SourceConfig(name="s", kind="feed", url=url), settings)
    assert on.status == "ok" and "2.52" in on.articles[0]["text"] and "cookie" not in on.articles[0]["text"].lower()
    off = fetch_source(SourceConfig(name="s", kind="feed", url=url, follow_links=False), settings)
    assert off.articles[0]["text"] == "AWS ships a new chip."


def test_sources_command_lists_last_fetch_status(server, tmp_path):
    from tests.conftest import run_cli
    good = server.route("/g.xml", static_bytes(rss([("g1", "A", "某公司今年營收成長10%。")])))
    cfg = tmp_path / "thesiswatch.yaml"
    cfg.write_text(f"db: tw.duckdb\nsources:\n  - {{name: good, kind: feed, url: '{good}'}}\n"
                   f"  - {{name: never, kind: feed, url: '{server.base}/none.xml'}}\n", encoding="utf-8")
    settings = make_settings(tmp_path, [])
    ingest(settings.model_copy(update={"db": str(tmp_path / "tw.duckdb")}), feed_source("good", good))
    out = run_cli("--config", str(cfg), "sources", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = out.stdout.splitlines()
    assert rows[0] == "name,kind,location,last status,last fetch,articles,last error"
    assert rows[1].startswith("good,feed,") and ",ok," in rows[1] and rows[1].split(",")[5] == "1"
    assert rows[2].startswith("never,feed,") and "never fetched" in rows[2]


def test_a_dripping_server_gets_one_deadline_for_all_its_attempts(server):
    """A server sending one byte every 0.2 s would keep each attempt busy for its whole read
    budget; with four attempts allowed the source must still end at its deadline."""
    from tests.httpserver import drip
    url = server.route("/drip.xml", drip(b"<rss>" + b" " * 400 + b"</rss>", delay=0.2))
    start = time.monotonic()
    with pytest.raises(TransientFetchError) as e:
        fetch_url(url, fast_fetch(read_timeout=1.0, connect_timeout=1.0, retries=3, deadline=3.0))
    took = time.monotonic() - start
    assert took < 4.5, took
    assert str(e.value).startswith("read timeout")


def test_a_read_timeout_is_retried_once_not_every_time(server):
    from tests.httpserver import stall
    url = server.route("/stall", stall(5))
    with pytest.raises(TransientFetchError) as e:
        fetch_url(url, fast_fetch(read_timeout=0.5, retries=3, deadline=30))
    assert server.hits["/stall"] == 2
    assert str(e.value) == "read timeout (after 2 attempts)"


def test_relative_links_resolve_against_xml_base_and_the_final_url_so_linked_pages_are_fetched(server, tmp_path):
    page = ("<html><body><article><h1>Fab story</h1><p>" + "台積電先進封裝產能明年將再擴充一倍，" * 8 +
            "</p></article></body></html>").encode()
    server.route("/news/story/1.html", static_bytes(page, content_type="text/html; charset=utf-8"))
    atom = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:base="{server.url("/news/")}"><title>T</title><entry><title>A</title>'
            '<link href="story/1.html"/><id>1</id><summary>short</summary></entry></feed>').encode()
    feed_url = server.route("/feeds/a.xml", static_bytes(atom, content_type="application/atom+xml"))
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>B</title>'
           b"<link>../news/story/1.html</link><guid>b</guid><description>short</description></item>"
           b"</channel></rss>")
    rss_url = server.route("/feeds/b.xml", static_bytes(rss))
    settings = make_settings(tmp_path, [])
    for name, url in (("atom", feed_url), ("rss", rss_url)):
        res = fetch_source(SourceConfig(name=name, kind="feed", url=url), settings)
        assert res.status == "ok", res.error
        assert res.articles[0]["canonical_url"] == server.url("/news/story/1.html")
        assert "擴充一倍" in res.articles[0]["text"], name  # the linked page replaced the summary


def test_plain_text_titles_keep_what_they_say():
    from ingest.feeds import parse_feed
    atom = (b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            b'<entry><title type="text">History of the &lt;blink&gt; tag &amp;notes</title><id>1</id>'
            b"<summary>s</summary></entry>"
            b'<entry><title type="html">Chips &lt;b&gt;rally&lt;/b&gt; &amp;amp; more</title><id>2</id>'
            b"<summary>s</summary></entry></feed>")
    assert [i.title for i in parse_feed(atom).items] == ["History of the <blink> tag &notes", "Chips rally & more"]
