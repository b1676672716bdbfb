"""Quiet, offline-safe defaults for Prefect, applied before Prefect is first imported, and the
clean-up of processes a killed run left behind.

Only when no Prefect API is configured (so Prefect starts its temporary local server) do we
turn off the server's analytics (offline it logs a telemetry error) and lower the temporary
server's log level (at exit it prints tracebacks from a flush race). A user's own settings win.
"""
from __future__ import annotations

import logging
import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path

OWNER_VAR = "THESISWATCH_RUN_PID"  # inherited by every process a run starts (Prefect's server too)


def configure(verbose: bool = False) -> None:
    env = os.environ
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if not env.get("PREFECT_API_URL"):
        env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
        env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if not verbose:
        env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    env[OWNER_VAR] = str(os.getpid())


@contextmanager
def one_shot():
    """Settings for a flow run that ends with its process (`run`, `backfill`, `reextract`).

    Prefect's flow-run heartbeat thread sleeps in one-second steps and is joined at the end
    of every flow run: about 0.9 s of a 1.2 s bare run against a live server. Heartbeats let
    Prefect mark a crashed *deployment* run; a one-shot run has its own record of dead runs
    (`runs.status = 'interrupted'`), so they are off here and stay on for `serve`. The events
    worker then still holds a few events at exit and warns while it flushes them; that warning
    is noise for a run that did finish, so it is lowered to errors only.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    events = logging.getLogger("EventsWorker")
    if events.level == logging.NOTSET:
        events.setLevel(logging.ERROR)
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_of(proc: Path) -> int | None:
    try:
        environ = (proc / "environ").read_bytes().split(b"\0")
    except OSError:
        return None
    prefix = f"{OWNER_VAR}=".encode()
    for item in environ:
        if item.startswith(prefix):
            try:
                return int(item[len(prefix):])
            except ValueError:
                return None
    return None


def reap_orphans(grace: float = 5.0) -> list[int]:
    """Stop processes started by a thesiswatch run that no longer exists (a SIGKILLed run
    leaves Prefect's temporary server running): SIGTERM, then SIGKILL after `grace` seconds.
    Returns the pids signalled. Linux only (reads /proc); elsewhere it does nothing."""
    me, found = os.getpid(), []
    for proc in Path("/proc").glob("[0-9]*"):
        pid = int(proc.name)
        owner = _owner_of(proc)
        if owner is None or pid == me or owner == me or _alive(owner):
            continue
        try:
            os.kill(pid, signal.SIGTERM)
            found.append(pid)
        except OSError:
            continue
    deadline = time.monotonic() + grace
    while found and time.monotonic() < deadline and any(_alive(p) for p in found):
        time.sleep(0.1)
    for pid in found:
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    return found
