"""A tiny progress hook: the CLI sets a reporter, the flow tells it what happened.

Kept out of the flow's parameters because Prefect serialises those.
"""
from __future__ import annotations

from typing import Callable

_reporter: Callable[[str, dict], None] | None = None


def set_reporter(fn: Callable[[str, dict], None] | None) -> None:
    global _reporter
    _reporter = fn


def report(event: str, **data) -> None:
    if _reporter is not None:
        _reporter(event, data)
