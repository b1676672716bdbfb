"""Shared fixtures: a real HTTP server on 127.0.0.1, real DuckDB files in tmp_path, and one
Prefect temporary server for the whole session (flows run for real against it)."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from flows.prefect_env import configure

configure()

from flows.config import FetchSettings, Settings, SourceConfig  # noqa: E402
from tests.httpserver import TestServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def prefect_api():
    """A Prefect temporary server for the session; its URL also serves CLI subprocesses."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness
    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


@pytest.fixture
def server():
    srv = TestServer().start()
    yield srv
    srv.stop()


def fast_fetch(**kw) -> FetchSettings:
    base = dict(connect_timeout=2.0, read_timeout=2.0, retries=2, backoff=0.05, max_retry_after=5.0)
    base.update(kw)
    return FetchSettings(**base)


def make_settings(tmp_path: Path, sources: list[dict], **kw) -> Settings:
    data = {"db": str(tmp_path / "tw.duckdb"), "sources": sources, "base_dir": str(tmp_path),
            "theses": kw.pop("theses", [str(tmp_path / "no-theses")]), "fetch": kw.pop("fetch", fast_fetch())}
    data.update(kw)
    (tmp_path / "no-theses").mkdir(exist_ok=True)
    return Settings.model_validate(data)


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    """The CLI in this process through click's CliRunner, as `thesiswatch ARGS` would run it.

    Returns what a subprocess would (returncode, stdout, stderr). An exception the CLI did not
    turn into an error line lands in stderr as its traceback.
    """
    from click.testing import CliRunner

    from flows.cli import cli
    with contextlib.chdir(cwd or ROOT):
        result = CliRunner().invoke(cli, list(args), input=stdin, env=env, obj={}, catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["thesiswatch", *args], result.exit_code, result.stdout, stderr)


def run_process(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300,
                stdin: str | None = None) -> subprocess.CompletedProcess:
    """The CLI in a subprocess, for tests about the process boundary: signals, locks held by
    another process, crashes at a failpoint, start-up."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout, input=stdin)


__all__ = ["make_settings", "fast_fetch", "run_cli", "run_process", "SourceConfig", "ROOT", "EXAMPLES", "DATA"]
