"""`thesiswatch server start|status|stop`: a real `prefect server start` in the background, a
real run that uses it without being told (no PREFECT_API_URL), and a clean stop."""
from __future__ import annotations

import json
import os
import socket
import urllib.request

import pytest

from tests.conftest import run_process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    e["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    return e


def _flow_runs(url: str) -> list[dict]:
    req = urllib.request.Request(url + "/flow_runs/filter", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_status_says_how_to_start_one_when_none_runs(env, tmp_path):
    out = run_process("server", "status", env=env, timeout=60)
    assert out.returncode == 1
    assert "Not running" in out.stdout and "thesiswatch server start" in out.stdout
    out = run_process("server", "stop", env=env, timeout=60)
    assert out.returncode == 0 and "No Prefect server started by thesiswatch is running" in out.stdout


@pytest.mark.slow
def test_a_started_server_serves_every_run_until_stopped(env, tmp_path):
    port = _free_port()
    os.environ.pop("THESISWATCH_RUN_PID", None)
    try:
        out = run_process("server", "start", "--port", str(port), env=env, timeout=240)
        assert out.returncode == 0, out.stderr
        url = f"http://127.0.0.1:{port}/api"
        assert url in out.stdout
        assert run_process("server", "status", env=env, timeout=60).returncode == 0
        again = run_process("server", "start", "--port", str(port), env=env, timeout=60)
        assert again.returncode == 0 and url in again.stdout  # the running one, not a second server

        (tmp_path / "news.txt").write_text("#NVIDIA\n輝達新平台出貨\n輝達表示新平台已開始出貨。\n", encoding="utf-8")
        (tmp_path / "tw.yaml").write_text(
            "db: tw.duckdb\nsources:\n  - {name: news, kind: text-export, path: news.txt}\n", encoding="utf-8")
        run = run_process("--config", str(tmp_path / "tw.yaml"), "run", env=env, timeout=300)
        assert run.returncode == 0, run.stderr
        assert "temporary server" not in run.stderr  # it found the running server by itself
        assert any(r["name"] for r in _flow_runs(url)), "the run did not report to the started server"
    finally:
        stopped = run_process("server", "stop", env=env, timeout=60)
    assert stopped.returncode == 0 and "Stopped" in stopped.stdout
    assert run_process("server", "status", env=env, timeout=60).returncode == 1


def test_a_run_without_a_server_says_it_starts_a_temporary_one(env, capsys):
    # No server and no PREFECT_API_URL: before the flow starts, the run says why the next
    # seconds pass. (The flow itself is not started here; other tests run real flows.)
    from flows.cli import _prefect
    saved = dict(os.environ)
    os.environ.pop("PREFECT_API_URL", None)
    os.environ["PREFECT_HOME"] = env["PREFECT_HOME"]
    try:
        _prefect()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    err = capsys.readouterr().err
    assert "Starting Prefect's temporary server (~10 s)" in err and "thesiswatch server start" in err
