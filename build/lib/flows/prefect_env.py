"""Quiet, offline-safe defaults for Prefect, applied before Prefect is first imported.

Only when no Prefect API is configured (so Prefect starts its temporary local server) do we
turn off the server's analytics (offline it logs a telemetry error) and lower the temporary
server's log level (at exit it prints tracebacks from a flush race). A user's own settings win.
"""
from __future__ import annotations

import os


def configure(verbose: bool = False) -> None:
    env = os.environ
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if not env.get("PREFECT_API_URL"):
        env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
        env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if not verbose:
        env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
