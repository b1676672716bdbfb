"""A local Prefect server that outlives one run: `thesiswatch server start|stop|status`.

Prefect's temporary server costs 8-18 s at the start of every run on a small machine; a server
started once and left running costs nothing per run. `start` launches `prefect server start`
in the background with analytics off, waits until it answers, and records its pid and URL in
a state file; `thesiswatch run` then uses it whenever no PREFECT_API_URL is set and it answers.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from common.exceptions import TerminalException, ThesiswatchError
from flows.prefect_env import _alive

DEFAULT_PORT = 4200
START_TIMEOUT = 120.0  # seconds; ~40 s is usual on a busy 2-core machine


class ServerError(ThesiswatchError, TerminalException):
    """The local Prefect server could not be started or stopped."""


@dataclass
class ServerState:
    pid: int
    url: str  # the API URL, ending in /api
    log: str


def home() -> Path:
    """Where the state file and log live: thesiswatch's own folder under Prefect's home."""
    base = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    return base / "thesiswatch"


def _state_file() -> Path:
    return home() / "server.json"


def read_state() -> ServerState | None:
    try:
        data = json.loads(_state_file().read_text(encoding="utf-8"))
        return ServerState(int(data["pid"]), str(data["url"]), str(data.get("log", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def healthy(url: str, timeout: float = 1.0) -> bool:
    """True when the Prefect API at `url` answers its health check."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=timeout) as r:  # noqa: S310 (local URL)
            return r.status == 200
    except (OSError, ValueError):
        return False


def running() -> ServerState | None:
    """The server `start` left running, if it is still alive and answering."""
    state = read_state()
    if state and _alive(state.pid) and healthy(state.url):
        return state
    return None


def start(port: int = DEFAULT_PORT, timeout: float = START_TIMEOUT, echo=print) -> ServerState:
    """Start the server in the background (or find the one already running) and wait for it."""
    state = running()
    if state:
        return state
    url = f"http://127.0.0.1:{port}/api"
    if healthy(url):
        raise ServerError(f"something already answers on port {port} but was not started by thesiswatch. "
                          f"Use it with `export PREFECT_API_URL={url}`, or pick another port with --port")
    home().mkdir(parents=True, exist_ok=True)
    log = home() / "server.log"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    state = ServerState(proc.pid, url, str(log))
    _state_file().write_text(json.dumps(state.__dict__), encoding="utf-8")
    echo(f"Starting Prefect's server on {url} (about 40 s the first time)...")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"the Prefect server exited with code {proc.returncode}. See its log: {log}")
        if healthy(url):
            return state
        time.sleep(0.5)
    _terminate(proc.pid)
    raise ServerError(f"the Prefect server did not answer within {timeout:.0f} s. See its log: {log}")


def stop() -> bool:
    """Stop the server `start` started; False when none was running."""
    state = read_state()
    if state is None or not _alive(state.pid):
        _state_file().unlink(missing_ok=True)
        return False
    _terminate(state.pid)
    _state_file().unlink(missing_ok=True)
    return True


def _terminate(pid: int, grace: float = 10.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)  # the server's own uvicorn workers are in its session
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
        try:
            os.waitpid(pid, os.WNOHANG)  # reap it when it is our own child
        except ChildProcessError:
            pass
    if _alive(pid):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def use_running_server() -> str | None:
    """Point this process at the server `start` left running, unless PREFECT_API_URL is set.
    Returns the URL in use, or None when Prefect will start its temporary server."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    state = running()
    if state:
        os.environ["PREFECT_API_URL"] = state.url
        return state.url
    return None
