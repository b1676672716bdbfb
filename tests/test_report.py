"""The report page: what each block shows, that everything printed is escaped, the CLI and the
after-run hook, and the demo's page as headless Chromium draws it."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from flows.config import load_settings
from ingest.articles import to_article
from ingest.items import Item
from tests.conftest import EXAMPLES, ROOT, make_settings, run_cli
from tests.pngpixels import colours
from thesis.evaluate import evaluate_and_record
from thesis.model import ThesisError, load_thesis
from warehouse.load import load_extractions, load_fetch

SCRIPT_TITLE = "<script>alert(1)</script> Huawei capacity"
IMG_QUOTE = '"><img src=x onerror=alert(2)>'

THESIS = """id: t
title: "A test thesis <b>not bold</b>"
summary: Huawei stays small.
owner: o
parameters: {elevated_at: 20}
assumptions:
  - id: a_news
    statement: There is news at all.
    check: |
      SELECT CASE WHEN count(*) = 0 THEN 'unknown' ELSE 'holds' END AS status, count(*) AS value,
             count(*) || ' article(s)' AS detail
      FROM v_articles WHERE published_date <= CAST($as_of AS DATE)
    evidence: SELECT article_id FROM v_articles
risks:
  - id: r_share
    statement: Huawei's capacity share grows.
    severity: high
    check: |
      SELECT CASE WHEN max(value) IS NULL THEN 'unknown' WHEN max(value) >= $elevated_at THEN 'elevated'
                  ELSE 'clear' END AS status,
             max(value) AS value, 'largest share ' || max(value) || '%' AS detail
      FROM v_claims WHERE subject = 'huawei' AND metric = 'capacity_share'
    evidence: SELECT claim_id FROM v_claims WHERE subject = 'huawei' AND metric = 'capacity_share'
    chart:
      title: Huawei capacity share
      unit: '%'
      points: |
        SELECT published_date AS date, value, source AS label, claim_id FROM v_claims
        WHERE subject = 'huawei' AND metric = 'capacity_share'
      thresholds: [elevated_at]
"""

ARTICLES = [
    # (title, url, published, text, the claim's sentence, quote, value); the claim is the quote's
    # last occurrence in its sentence
    (SCRIPT_TITLE, "javascript:alert(1)", date(2025, 12, 1),
     "華為的AI晶片產能只有NVIDIA的5%。另有其他消息。", "華為的AI晶片產能只有NVIDIA的5%。", "5%", 5.0),
    # the figure occurs twice in its sentence: the mark must land on the claim's own
    (f"Huawei update {IMG_QUOTE}", "https://news.example/huawei", date(2025, 12, 20),
     f"Old news. Up from 30% at one fab, Huawei's capacity reached 30% of NVIDIA's {IMG_QUOTE} output.",
     f"Up from 30% at one fab, Huawei's capacity reached 30% of NVIDIA's {IMG_QUOTE} output.", "30%", 30.0),
]


def _load(db: Path) -> None:
    source = {"name": "wire", "kind": "feed", "location": "http://127.0.0.1/wire.xml"}
    for i, (title, url, day, text, sentence, quote, value) in enumerate(ARTICLES):
        when = datetime(day.year, day.month, day.day, 12)
        row = to_article(Item(title=title, text=text, url=url, published_at=when), "wire", when, None)
        start = text.index(sentence) + sentence.rindex(quote)
        claim = {"subject": "huawei", "metric": "capacity_share", "value": value, "unit": "%", "period": "2027",
                 "qualifier": "exact", "quote": quote, "sentence": sentence, "start": start, "end": start + len(quote)}
        load_fetch(db, f"load-{i}", source, {"url": None, "started_at": when, "status": "ok"}, [row])
        load_extractions(db, "test", [{"article_id": row["article_id"], "mentions": [], "claims": [claim]}])


def _build(root: Path):
    """Three evaluations of a two-item thesis over two hostile articles: unknown, then clear at 5%,
    then elevated at 30%."""
    (root / "theses").mkdir()
    (root / "theses" / "t.yaml").write_text(THESIS, encoding="utf-8")
    settings = make_settings(root, [{"name": "wire", "kind": "feed", "url": "http://127.0.0.1/wire.xml"},
                                    {"name": "never", "kind": "feed", "url": "http://127.0.0.1/never.xml"}],
                             theses=[str(root / "theses")])
    _load(settings.db_path)
    for run_id, day in (("eval-1", date(2025, 11, 20)), ("eval-2", date(2025, 12, 5)), ("eval-3", date(2025, 12, 21))):
        evaluate_and_record(settings, run_id, day)
    return settings


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The warehouse the read-only tests share."""
    return _build(tmp_path_factory.mktemp("small"))


@pytest.fixture
def fresh(tmp_path):
    """The same warehouse, for a test that changes it or its thesis file."""
    return _build(tmp_path)


class Page(HTMLParser):
    """Tags, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def _write(settings, tmp_path, **kw) -> str:
    from report.page import write_report
    out = write_report(settings, tmp_path / "out" / "report.html", **kw)
    return out.read_text(encoding="utf-8")


def _section(html: str, start_marker: str, end_marker: str) -> str:
    a = html.index(start_marker)
    return html[a:html.index(end_marker, a)]


# --- escaping ------------------------------------------------------------------------------

def test_titles_quotes_and_urls_are_data_never_markup(small, tmp_path):
    html = _write(small, tmp_path)
    page = Page(html)
    tags = {t for t, _ in page.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed"}, tags
    assert not [(t, k) for t, a in page.tags for k in a if k.startswith("on")]
    hrefs = [a["href"] for t, a in page.tags if "href" in a]
    assert all(h.startswith("#") or h.startswith("https://") for h in hrefs), hrefs
    assert "https://news.example/huawei" in hrefs
    text = page.all_text()
    assert SCRIPT_TITLE in text  # shown as text, exactly as written
    assert IMG_QUOTE in text and "<b>not bold</b>" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    # nothing is fetched when the page is opened: no src at all, no stylesheet link, no CSS url()
    assert not [a for _, a in page.tags if "src" in a] and "link" not in tags and "url(" not in html
    assert 'content="default-src \'none\'; style-src \'unsafe-inline\'"' in html


# --- what changed ----------------------------------------------------------------------------

def test_what_changed_opens_the_page_with_old_new_the_marked_quote_and_the_detail(small, tmp_path):
    html = _write(small, tmp_path)
    assert html.index('id="changes"') < html.index('id="thesis-t"')
    block = _section(html, 'data-change="t/r_share"', "</article>")
    assert re.search(r'badge t-good">clear</span><span class="arrow">→</span><span class="badge t-warn">elevated',
                     block), block
    assert "Up from 30% at one fab, Huawei&#39;s capacity reached <mark>30%</mark> of NVIDIA" in block
    assert "Check: largest share 30.0%" in block
    assert 'href="https://news.example/huawei"' in block and "2025-12-20" in block and "wire" in block
    assert "eval-3" in html and "eval-2" in _section(html, 'id="changes"', "</section>")
    assert 'data-change="t/a_news"' not in html  # it held in both evaluations


def test_a_rerun_with_nothing_new_says_nothing_changed(fresh, tmp_path):
    evaluate_and_record(fresh, "eval-4", date(2025, 12, 21))
    changes = _section(_write(fresh, tmp_path), 'id="changes"', "</section>")
    assert "No status changed since the previous evaluation." in changes
    assert "data-change=" not in changes


def test_a_first_evaluation_lists_what_is_not_good(tmp_path):
    (tmp_path / "theses").mkdir()
    (tmp_path / "theses" / "t.yaml").write_text(THESIS, encoding="utf-8")
    settings = make_settings(tmp_path, [], theses=[str(tmp_path / "theses")])
    _load(settings.db_path)
    evaluate_and_record(settings, "only", date(2025, 12, 21))
    changes = _section(_write(settings, tmp_path), 'id="changes"', "</section>")
    assert "First evaluation: nothing to compare with yet." in changes
    assert 'data-change="t/r_share"' in changes and 'data-change="t/a_news"' not in changes
    assert "<mark>30%</mark>" in changes


# --- the status board -----------------------------------------------------------------------

def test_the_board_has_a_row_per_item_with_its_status_history(small, tmp_path):
    page = Page(_write(small, tmp_path))
    rows = page.find("tr")
    items = [r["data-item"] for r in rows if "data-item" in r]
    assert items == ["t/a_news", "t/r_share"]
    assert {r["data-item"]: r["data-status"] for r in rows if "data-item" in r} == \
        {"t/a_news": "holds", "t/r_share": "elevated"}
    html = _write(small, tmp_path)
    row = _section(html, 'data-item="t/r_share"', "</tr>")
    ticks = re.findall(r'class="tick t-(\w+)" title="([^"]+)"', row)
    assert [(t, title.split(": ")[-1]) for t, title in ticks] == \
        [("unknown", "unknown"), ("good", "clear"), ("warn", "elevated")]
    css = (ROOT / "report" / "templates" / "style.css").read_text()
    unknown_rule = re.search(r"\.t-unknown \{([^}]*)\}", css).group(1)
    assert "dashed" in unknown_rule and "repeating-linear-gradient" in unknown_rule  # not just another colour


def test_source_health_shows_every_configured_source(small, tmp_path):
    page = Page(_write(small, tmp_path))
    assert [a["data-source"] for a in page.find("tr") if "data-source" in a] == ["wire", "never"]
    never = _section(_write(small, tmp_path), 'data-source="never"', "</tr>")
    assert "never fetched" in never


# --- charts ---------------------------------------------------------------------------------

def test_each_chart_point_links_to_its_quote_and_thresholds_are_drawn(small, tmp_path):
    html = _write(small, tmp_path)
    chart = _section(html, 'id="chart-t-r_share"', "</table>")
    svg = _section(chart, "<svg", "</svg>")
    links = re.findall(r'<a href="#(pt-t-r_share-\d+)"><circle', svg)
    assert len(links) == 2
    for anchor in links:
        row = _section(chart, f'id="{anchor}"', "</tr>")
        assert "<mark>" in row
    assert "<mark>5%</mark>" in chart and "<mark>30%</mark>" in chart
    assert re.search(r'class="threshold-label"[^>]*>elevated at: 20%</text>', svg)
    assert svg.count('class="threshold"') == 1
    # the 30% point sits above the 5% one: SVG y grows downwards
    ys = [float(y) for y in re.findall(r'<circle class="point" cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[0] > ys[1]


def test_a_broken_chart_query_is_shown_in_place_and_the_page_is_still_written(fresh, tmp_path):
    path = Path(fresh.thesis_paths()[0]) / "t.yaml"
    path.write_text(THESIS.replace("SELECT published_date AS date, value, source AS label, claim_id FROM v_claims",
                                   "SELECT value AS amount, claim_id FROM v_claims"), encoding="utf-8")
    html = _write(fresh, tmp_path)
    chart = _section(html, 'id="chart-t-r_share"', "</figure>")
    assert "chart.points must return columns date and value; got amount, claim_id" in chart
    assert "<svg" not in chart and 'data-item="t/r_share"' in html


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace("thresholds: [elevated_at]", "thresholds: [elevated]"),
     "{f}: risk r_share: chart.thresholds names unknown parameter 'elevated' (known: elevated_at)"),
    (lambda t: t.replace("      points: |\n        SELECT", "      points: |\n        DELETE FROM claims; SELECT"),
     "{f}: risk r_share: chart.points: expected one statement, got 2"),
    (lambda t: t.replace("source AS label, claim_id FROM v_claims", "$colour AS label, claim_id FROM v_claims"),
     "{f}: risk r_share: chart.points uses unknown parameter $colour (known: as_of, elevated_at)"),
    (lambda t: t.replace("      unit: '%'\n", "      unit: '%'\n      colour: red\n"),
     "{f}: risk r_share: chart.colour: unknown key"),
])
def test_a_bad_chart_is_refused_with_one_line(tmp_path, edit, message):
    f = tmp_path / "t.yaml"
    f.write_text(edit(THESIS), encoding="utf-8")
    with pytest.raises(ThesisError) as e:
        load_thesis(f)
    assert str(e.value) == message.format(f=f)


def test_the_example_thesis_charts_the_checks_the_issue_names():
    thesis = load_thesis(ROOT / "theses" / "system-moore.yaml")
    charted = {item.id for _, item in thesis.items() if item.chart}
    assert charted >= {"nvidia_drawdown", "huawei_closes_gap", "huawei_capacity", "tpu_volume", "onsemi_target_spread"}


# --- the command line and the config -------------------------------------------------------

def test_report_command_writes_the_file_and_prints_its_path(fresh, tmp_path):
    cfg = _config_for(fresh, tmp_path)
    out = run_cli("--config", str(cfg), "report", "--out", str(tmp_path / "r.html"))
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"Report: {tmp_path / 'r.html'}\n" and (tmp_path / "r.html").stat().st_size > 5000
    out = run_cli("--config", str(cfg), "report")  # default: report.html beside the warehouse
    assert out.returncode == 0 and (fresh.db_path.parent / "report.html").exists()
    cfg.write_text(yaml.safe_dump({"db": str(fresh.db_path), "theses": fresh.theses,
                                   "report": {"path": "pages/today.html"}}), encoding="utf-8")
    out = run_cli("--config", str(cfg), "report")
    assert out.returncode == 0 and (tmp_path / "pages" / "today.html").exists(), out.stderr
    out = run_cli("--config", str(cfg), "report", "--thesis", "nope")
    assert out.returncode == 2 and "no thesis 'nope' in the configuration or the warehouse (known: t)" in out.stderr


def test_report_errors_are_one_line(tmp_path):
    out = run_cli("--db", str(tmp_path / "none.duckdb"), "report")
    assert (out.returncode, out.stderr) == (1, f"Error: no warehouse at {tmp_path / 'none.duckdb'}. "
                                               "Run `thesiswatch run` first, or pass --db.\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("report: {after_run: sometimes}\n", encoding="utf-8")
    out = run_cli("--config", str(cfg), "report")
    assert out.returncode == 1
    assert out.stderr.startswith(f"Error: {cfg}: report.after_run: ") and out.stderr.count("\n") == 1


def test_a_report_that_cannot_be_written_leaves_no_half_page(small, tmp_path):
    from report.page import ReportError, write_report
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    out = run_cli("--config", str(_config_for(small, tmp_path)), "report", "--out", str(blocked / "report.html"))
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert out.stderr.startswith(f"Error: cannot write the report to {blocked / 'report.html'} (")
    assert out.stderr.endswith("Pass --out with a writable file, or fix report.path in the config.\n")
    folder = tmp_path / "taken"
    (folder / "report.html").mkdir(parents=True)  # the target is a folder: the final rename fails
    with pytest.raises(ReportError):
        write_report(small, folder / "report.html")
    assert [p.name for p in folder.iterdir()] == ["report.html"]  # no temporary file left behind


def _config_for(settings, tmp_path) -> Path:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"db": str(settings.db_path), "theses": settings.theses}), encoding="utf-8")
    return cfg


def test_report_is_a_read_command_it_imports_neither_prefect_nor_spacy(small, tmp_path):
    import sys
    cfg = _config_for(small, tmp_path)
    code = ("import sys; from flows.cli import cli\n"
            f"try:\n    cli(['--config', {str(cfg)!r}, 'report', '--out', {str(tmp_path / 'r.html')!r}],"
            " standalone_mode=False)\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('prefect', 'spacy', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "['jinja2']", out.stdout + out.stderr
    assert (tmp_path / "r.html").exists()


def test_the_run_path_does_not_import_the_page_renderer():
    import sys
    code = "import sys\nimport flows.daily, report.page\nprint('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


# --- the demo, after a real run, in a real browser -------------------------------------------

@pytest.fixture(scope="module")
def demo(prefect_api, tmp_path_factory):
    """The demo as `make demo` builds it, with `report: {after_run: true}` added to its config."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(EXAMPLES, root / "examples", ignore=shutil.ignore_patterns("*.duckdb*", "report.html"))
    shutil.copytree(ROOT / "theses", root / "theses")
    cfg = root / "examples" / "thesiswatch.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "report: {after_run: true}\n", encoding="utf-8")
    out = run_cli("--config", str(cfg), "run", env={"PREFECT_API_URL": prefect_api})
    assert out.returncode == 0, out.stderr
    return {"config": cfg, "stdout": out.stdout, "page": root / "examples" / "report.html"}


@pytest.mark.slow
def test_a_run_with_after_run_writes_the_page_and_its_summary_names_it(demo):
    assert f"Report: {demo['page']}" in demo["stdout"]
    assert demo["page"].stat().st_size > 20000
    settings = load_settings(demo["config"])
    assert settings.report_path == demo["page"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _browser(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary on PATH (Debian: apt-get install chromium fonts-noto-cjk; .ci/run does it)")
    return subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}", *args,
                           page.as_uri()], capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_the_demo_page_in_headless_chromium_has_a_row_per_item_and_a_chart_per_charted_check(demo, tmp_path):
    out = _browser(demo["page"], tmp_path, "--dump-dom")
    assert out.returncode == 0 and "</html>" in out.stdout, out.stderr[-2000:]
    page = Page(out.stdout)
    thesis = load_thesis(ROOT / "theses" / "system-moore.yaml")
    rows = [a["data-item"] for a in page.find("tr") if "data-item" in a]
    assert rows == [f"system-moore/{item.id}" for _, item in thesis.items()]
    statuses = {a["data-item"].split("/")[1]: a["data-status"] for a in page.find("tr") if "data-item" in a}
    assert statuses["hot_set_few_gb"] == "weakening" and statuses["nvidia_drawdown"] == "elevated"
    for _, item in thesis.items():
        if item.chart:
            chart = _section(out.stdout, f'id="chart-system-moore-{item.id}"', "</figure>")
            assert chart.count('<circle class="point"') >= 1, item.id
            assert "error-box" not in chart, item.id
    drawdown = _section(out.stdout, 'id="chart-system-moore-nvidia_drawdown"', "</svg>")
    assert re.search(r">peak: \$5T</text>", drawdown) and re.search(r">elevated, -10%: \$4.5T</text>", drawdown)
    assert "華為" in page.all_text() or "华为" in page.all_text()


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1100])
def test_the_demo_page_screenshot_is_not_blank_and_shows_the_status_colours(demo, tmp_path, width):
    shot = tmp_path / f"page-{width}.png"
    out = _browser(demo["page"], tmp_path, f"--screenshot={shot}", f"--window-size={width},1800")
    assert out.returncode == 0 and shot.exists(), out.stderr[-2000:]
    w, h, seen = colours(shot)
    assert (w, h) == (width, 1800)
    assert len(seen) > 100, f"{len(seen)} colours: the page looks blank"
    white = seen.get((255, 255, 255), 0) / sum(seen.values())
    assert white < 0.97, f"{white:.0%} white"
    # the page opens on the demo's non-good items: amber badges and borders (style.css --warn) on
    # the change blocks' grey (--soft): the stylesheet was applied
    assert seen.get((0xB3, 0x5C, 0x00), 0) > 200 and seen.get((0xF5, 0xF6, 0xF8), 0) > 2000
