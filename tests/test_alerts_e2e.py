"""End to end: real Prefect runs, a real DuckDB file, and a real HTTP receiver on 127.0.0.1
behind an Apprise json:// URL. A risk flips on day 2 and exactly one alert arrives."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT, make_settings
from tests.httpserver import respond
from warehouse.db import read_connection

DAY1 = "#NVIDIA\n輝達發表新一代推理平台\n輝達表示新平台已開始出貨，客戶反應良好，目前市值約4.5兆美元。（科技日報）\n"
DAY2 = "#NVIDIA\n輝達股價回檔\n輝達股價較高點下跌20%，投資人擔心AI支出放緩。（科技日報）\n"


def _settings(tmp_path, server, hook="/hook", **kw):
    (tmp_path / "day1.txt").write_text(DAY1, encoding="utf-8")
    sources = [{"name": "day1", "kind": "text-export", "path": "day1.txt", "published": "2025-12-01"}]
    if kw.pop("day2", False):
        (tmp_path / "day2.txt").write_text(DAY2, encoding="utf-8")
        sources.append({"name": "day2", "kind": "text-export", "path": "day2.txt", "published": "2025-12-02"})
    url = server.base.replace("http://", "json://") + hook
    return make_settings(tmp_path, sources, theses=[str(ROOT / "theses" / "system-moore.yaml")],
                         alerts=[url], **kw)


def _alerts(server) -> list[dict]:
    return [json.loads(body) for path, _, body in server.posts if path == "/hook"]


def _status(db, assumption):
    with read_connection(db) as con:
        return con.execute("SELECT status FROM v_status WHERE assumption_id = ?", [assumption]).fetchall()[0][0]


@pytest.mark.slow
def test_a_status_change_sends_one_alert_with_its_evidence_and_never_twice(prefect_api, tmp_path, server):
    from flows.runner import run_flow
    server.route(("POST", "/hook"), respond(200, b"ok"))
    run_flow(_settings(tmp_path, server))
    assert _status(tmp_path / "tw.duckdb", "nvidia_drawdown") == "clear"
    assert _alerts(server) == []  # a first evaluation has nothing to compare with

    day2 = _settings(tmp_path, server, day2=True)
    result = run_flow(day2)
    assert _status(day2.db_path, "nvidia_drawdown") == "triggered"
    alerts = _alerts(server)
    assert len(alerts) == 1, [a["title"] for a in alerts]
    msg = alerts[0]
    assert "nvidia_drawdown clear -> triggered" in msg["title"]
    assert "下跌20%" in msg["message"] and "day2" in msg["message"]
    assert re.search(r"alert-key: system-moore/nvidia_drawdown/\S+", msg["message"])
    assert [s["assumption_id"] for s in result["statuses"] if s["changed"]] == ["nvidia_drawdown"]

    run_flow(day2)  # the same day again: nothing new, nothing sent
    assert len(_alerts(server)) == 1
    with read_connection(day2.db_path) as con:
        rows = con.execute("SELECT state, attempts FROM (" + _ALERTS + ")").fetchall()
    assert rows == [("sent", 1)]


_ALERTS = ("SELECT CASE WHEN delivered_at IS NOT NULL THEN 'sent' ELSE 'pending' END AS state, attempts "
           "FROM alert_outbox")


@pytest.mark.slow
def test_an_alert_waits_in_the_outbox_while_the_receiver_is_down(prefect_api, tmp_path, server):
    from flows.runner import run_flow
    server.route(("POST", "/hook"), respond(503, b"down"))
    run_flow(_settings(tmp_path, server))
    day2 = _settings(tmp_path, server, day2=True)
    result = run_flow(day2)
    assert result["alerts"] == {"sent": 0, "failed": 1}
    with read_connection(day2.db_path) as con:
        pending = con.execute("SELECT attempts, last_error FROM alert_outbox WHERE delivered_at IS NULL").fetchall()
    assert len(pending) == 1 and pending[0][0] == 1 and "failed" in pending[0][1]
    delivered_while_down = len(_alerts(server))

    server.route(("POST", "/hook"), respond(200, b"ok"))  # the receiver is back
    result = run_flow(day2)
    assert result["alerts"] == {"sent": 1, "failed": 0}
    alerts = _alerts(server)[delivered_while_down:]
    assert len(alerts) == 1 and "nvidia_drawdown" in alerts[0]["title"]
    run_flow(day2)
    assert len(_alerts(server)[delivered_while_down:]) == 1


def test_a_bad_alert_url_is_refused_at_config_load(tmp_path):
    from flows.config import Settings
    from thesis.alerts import AlertConfigError, check_targets
    settings = Settings.model_validate({"alerts": ["nosuchscheme://token@host/x"], "base_dir": str(tmp_path)})
    with pytest.raises(AlertConfigError) as e:
        check_targets(settings)
    assert str(e.value).startswith("alerts[0]: Apprise cannot use the URL nosuchscheme://host/…")
    assert "token" not in str(e.value)


@pytest.mark.slow
def test_snoozed_assumptions_record_status_but_send_nothing(prefect_api, tmp_path, server):
    from datetime import date, timedelta

    from flows.runner import run_flow
    from thesis.alerts import snooze
    server.route(("POST", "/hook"), respond(200, b"ok"))
    run_flow(_settings(tmp_path, server))
    day2 = _settings(tmp_path, server, day2=True)
    snooze(day2, "nvidia_drawdown", date.today() + timedelta(days=7))
    run_flow(day2)
    assert _status(day2.db_path, "nvidia_drawdown") == "triggered"
    assert _alerts(server) == []
    with read_connection(day2.db_path) as con:
        assert con.execute("SELECT muted FROM alert_outbox").fetchall() == [(True,)]


@pytest.mark.slow
def test_digest_sends_one_message_per_thesis(prefect_api, tmp_path, server):
    from flows.runner import run_flow
    server.route(("POST", "/hook"), respond(200, b"ok"))
    run_flow(_settings(tmp_path, server, digest=True))
    day2 = _settings(tmp_path, server, day2=True, digest=True)
    day2_text = DAY2.replace("（科技日報）", "另據報導，Google TPU到2027年出貨量將達1200萬顆。（科技日報）")
    (tmp_path / "day2.txt").write_text(day2_text, encoding="utf-8")
    run_flow(day2)
    alerts = _alerts(server)
    assert len(alerts) == 1
    assert "2 change(s)" in alerts[0]["title"]
    assert "nvidia_drawdown" in alerts[0]["message"] and "tpu_volume" in alerts[0]["message"]


@pytest.mark.slow
def test_an_unchanged_warehouse_reuses_results_but_an_edited_thesis_is_evaluated_again(prefect_api, tmp_path, server):
    import shutil

    from flows.runner import run_flow
    server.route(("POST", "/hook"), respond(200, b"ok"))
    (tmp_path / "theses").mkdir()
    shutil.copy(ROOT / "theses" / "system-moore.yaml", tmp_path / "theses")
    shutil.copytree(ROOT / "theses" / "models", tmp_path / "theses" / "models")
    settings = _settings(tmp_path, server, day2=True)
    settings.theses = [str(tmp_path / "theses")]
    run_flow(settings)
    run_flow(settings)  # nothing new: the checks are not run again, their results are recorded again
    with read_connection(settings.db_path) as con:
        fps = con.execute("SELECT eval_fingerprint FROM runs ORDER BY started_at").fetchall()
        per_run = con.execute("SELECT count(*) FROM assumption_status GROUP BY run_id").fetchall()
    assert fps[0] == fps[1] and per_run == [(14,), (14,)]
    assert _status(settings.db_path, "nvidia_drawdown") == "triggered"
    thesis = tmp_path / "theses" / "system-moore.yaml"
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("triggered_at: 20\n", "triggered_at: 30\n", 1),
                      encoding="utf-8")
    result = run_flow(settings)
    assert _status(settings.db_path, "nvidia_drawdown") == "elevated"
    assert [s["assumption_id"] for s in result["statuses"] if s["changed"]] == ["nvidia_drawdown"]


@pytest.mark.slow
def test_a_failing_target_never_makes_a_healthy_one_receive_an_alert_twice(prefect_api, tmp_path, server):
    from flows.runner import run_flow
    server.route(("POST", "/hook"), respond(200, b"ok"))
    server.route(("POST", "/down"), respond(503, b"down"))
    down = server.base.replace("http://", "json://") + "/down"
    run_flow(_settings(tmp_path, server))
    day2 = _settings(tmp_path, server, day2=True)
    day2.alerts.append(type(day2.alerts[0])(url=down))
    assert run_flow(day2)["alerts"] == {"sent": 0, "failed": 1}
    assert len(_alerts(server)) == 1  # the healthy target has it
    run_flow(day2)
    assert len(_alerts(server)) == 1  # and does not get it again while the other is down
    server.route(("POST", "/down"), respond(200, b"ok"))
    assert run_flow(day2)["alerts"] == {"sent": 1, "failed": 0}
    to_down = [p for p, _, _ in server.posts if p == "/down"]
    assert len(_alerts(server)) == 1 and len(to_down) == 3  # two refused attempts, one delivery
