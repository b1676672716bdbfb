"""Progress and timing of a run: the CLI sets a reporter, the flow tells it what happened, and
a stopwatch adds up the seconds per stage for the summary and the benchmark.

The reporter is kept out of the flow's parameters because Prefect serialises those.
"""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

_reporter: Callable[[str, dict], None] | None = None


def set_reporter(fn: Callable[[str, dict], None] | None) -> None:
    global _reporter
    _reporter = fn


def report(event: str, **data) -> None:
    if _reporter is not None:
        _reporter(event, data)


class Stopwatch:
    """Seconds spent per stage of a run."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def add(self, stage: str, secs: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + secs

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - start)
