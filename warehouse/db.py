"""Open the DuckDB warehouse: migrations, the one-writer rule, and readers that wait politely.

DuckDB lets one process hold a file for writing; any other process that opens it, even
read-only, gets "Could not set lock on file". Writers therefore hold the file only for short
transactions, and readers retry for a bounded time instead of crashing.
"""
from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from common.clock import utcnow  # noqa: F401  (re-exported: warehouse code stamps rows with it)
from common.exceptions import TerminalException, ThesiswatchError, TransientException


class WarehouseError(ThesiswatchError):
    """A warehouse that cannot be used as asked; the message says what to do next."""


class NoWarehouse(WarehouseError, TerminalException):
    """The warehouse file does not exist (yet)."""


class WarehouseBusy(WarehouseError, TransientException):
    """Another run holds the warehouse; trying again later may succeed."""


def dict_rows(cur: duckdb.DuckDBPyConnection) -> list[dict]:
    """The rows of an executed query as dicts keyed by column name."""
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every file in warehouse/migrations, in order."""
    out = []
    for f in _migration_files():
        m = re.match(r"(\d+)_(\w+)\.sql$", f.name)
        if m:
            out.append((int(m.group(1)), m.group(2), f.read_text(encoding="utf-8")))
    return sorted(out)


def _migration_files() -> list[Path]:
    return sorted((Path(__file__).parent / "migrations").glob("*.sql"))


LATEST_VERSION = max(v for v, _, _ in migrations())


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not has:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection, path: Path | str = "?") -> int:
    """Bring a file up to LATEST_VERSION; refuse one written by a newer thesiswatch."""
    current = schema_version(con)
    if current > LATEST_VERSION:
        raise WarehouseError(
            f"{path} has schema version {current}, newer than this thesiswatch supports "
            f"({LATEST_VERSION}). Upgrade thesiswatch or use another --db"
        )
    if current == LATEST_VERSION:
        return current
    con.execute("BEGIN")
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
        )
        for version, name, sql in migrations():
            if version > current:
                con.execute(sql)
                con.execute("INSERT INTO schema_version VALUES (?, ?, ?)", [version, name, utcnow()])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return LATEST_VERSION


# Never reach for the network: an SQLite or Parquet path would otherwise make DuckDB download
# and load an extension.
NO_EXTENSIONS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_SQLITE_MAGIC = b"SQLite format 3\x00"


def check_file(path: Path) -> None:
    """Refuse, with one line, a file that is not a DuckDB database (an existing one only)."""
    if not path.exists() or path.is_dir():
        if path.is_dir():
            raise WarehouseError(f"{path} is a folder, not a warehouse file. Pass --db with a file name")
        return
    with open(path, "rb") as fh:
        head = fh.read(16)
    if not head:
        raise WarehouseError(f"{path} is an empty file, not a DuckDB warehouse. Delete it, or pass --db "
                             "with another file name")
    if head.startswith(_SQLITE_MAGIC):
        what = "an SQLite database"
    elif head[8:12] == b"DUCK":
        return
    else:
        what = "not a database" if len(head) < 12 or b"\x00" not in head else "an unknown kind of file"
    raise WarehouseError(f"{path} is {what}, not a DuckDB warehouse. Pass --db with a thesiswatch "
                         "warehouse, or a new file name")


def _is_lock_error(e: Exception) -> bool:
    return "lock" in str(e).lower() and ("could not set" in str(e).lower() or "conflicting" in str(e).lower())


def _open(path: Path, read_only: bool, wait: float, notify: Callable[[str], None] | None):
    check_file(path)
    deadline = time.monotonic() + wait
    told = False
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=NO_EXTENSIONS)
        except duckdb.Error as e:
            if not _is_lock_error(e):
                raise WarehouseError(f"cannot open {path}: {str(e).splitlines()[0]}") from None
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"the warehouse {path} is busy: another process is writing to it. "
                    "Try again when that run finishes"
                ) from None
            if notify and not told:
                notify(f"Waiting for the warehouse: {path.name} is being written by another process...")
                told = True
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@contextmanager
def read_connection(path: Path | str, wait: float = 30.0,
                    notify: Callable[[str], None] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection; waits up to `wait` seconds for a writer to let go."""
    path = Path(path)
    if not path.exists():
        raise NoWarehouse(f"no warehouse at {path}. Run `thesiswatch run` first, or pass --db")
    con = _open(path, True, wait, notify)
    try:
        version = schema_version(con)
        if version > LATEST_VERSION:
            raise WarehouseError(
                f"{path} has schema version {version}, newer than this thesiswatch supports "
                f"({LATEST_VERSION}). Upgrade thesiswatch or use another --db")
        if version < LATEST_VERSION:
            raise WarehouseError(
                f"{path} has schema version {version}; this thesiswatch needs {LATEST_VERSION}. "
                "Run `thesiswatch run` (or `thesiswatch migrate`) to upgrade it")
        yield con
    finally:
        con.close()


@contextmanager
def write_connection(path: Path | str, wait: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived writable connection with the schema migrated. Close it soon."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, False, wait, None)
    try:
        migrate(con, path)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """One atomic write: everything inside commits together or not at all."""
    with write_connection(path) as con:
        con.execute("BEGIN")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


_HELD: dict[str, int] = {}  # lock files this process holds, with nesting depth


class RunLock:
    """An exclusive lock file beside the warehouse: one writing run at a time.

    Re-entrant within a process, so the CLI can take it before starting a flow that takes it too.
    """

    def __init__(self, db_path: Path | str):
        self.path = Path(str(db_path) + ".lock")
        self._fh = None
        self._nested = False

    def acquire(self) -> None:
        key = str(self.path.resolve())
        if _HELD.get(key):
            _HELD[key] += 1
            self._nested = True
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise WarehouseBusy(
                f"another thesiswatch run (pid {holder}) is writing to {self.path.with_suffix('')}. "
                "Wait for it to finish, then run again"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        _HELD[key] = 1

    def held_elsewhere(self) -> bool:
        """True when another process holds the lock now (a run is in progress)."""
        if _HELD.get(str(self.path.resolve())) or not self.path.exists():
            return False
        with open(self.path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False

    def release(self) -> None:
        key = str(self.path.resolve())
        if self._nested:
            _HELD[key] -= 1
            self._nested = False
            return
        if self._fh:
            _HELD.pop(key, None)
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def failpoint(name: str) -> None:
    """Crash here on purpose when THESISWATCH_FAILPOINT names this point (crash-safety tests).

    `THESISWATCH_FAILPOINT=load-commit:2` kills the process with SIGKILL the 2nd time the
    `load-commit` point is reached. Costs one dict lookup when unset.
    """
    spec = os.environ.get("THESISWATCH_FAILPOINT")
    if not spec:
        return
    want, _, nth = spec.partition(":")
    if want != name:
        return
    _FAILPOINT_HITS[name] = _FAILPOINT_HITS.get(name, 0) + 1
    if _FAILPOINT_HITS[name] >= int(nth or 1):
        import signal
        os.kill(os.getpid(), signal.SIGKILL)


_FAILPOINT_HITS: dict[str, int] = {}

