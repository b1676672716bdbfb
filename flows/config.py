"""Typed settings for thesiswatch, layered: defaults -> config file -> THESISWATCH_* env -> CLI flags.

One `Settings` object is built at the edge (the CLI) and passed down; nothing deeper reads
the environment or the config file again.
"""
from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from common.exceptions import TerminalException, ThesiswatchError
from common.validation import dotted, first_problem

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster

DEFAULT_CONFIG = "thesiswatch.yaml"
DEFAULT_DB = "thesiswatch.duckdb"
SOURCE_KINDS = ("feed", "page", "text-export", "directory")


class ConfigError(ThesiswatchError, TerminalException):
    """A config file that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceConfig(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Literal["feed", "page", "text-export", "directory"]
    url: str | None = None
    path: str | None = None
    lang: Literal["zh-Hant", "zh-Hans", "en"] | None = None
    locale: Literal["TW", "CN", "HK", "US"] | None = None
    tags: list[str] = []
    published: date | None = None
    follow_links: bool = True
    pattern: str = "*"
    timezone: str | None = None  # zone of dates written without one; default from locale, else UTC

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                ZoneInfo(v)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{v!r} is not a time zone name such as 'Asia/Taipei'") from None
        return v

    @model_validator(mode="after")
    def _one_location(self) -> SourceConfig:
        if bool(self.url) == bool(self.path):
            raise ValueError("give exactly one of `url` or `path`")
        return self

    @property
    def location(self) -> str:
        return self.url or self.path or ""


class FetchSettings(_Strict):
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = "thesiswatch/0.1 (+https://example.invalid/thesiswatch)"
    concurrency: int = 8
    deadline: float = Field(60.0, gt=0)  # seconds one source may take, all retries included


class ExtractSettings(_Strict):
    model: str | None = None  # a trained spaCy pipeline to use instead of spacy.blank
    entities: list[str] = []  # extra gazetteer YAML files, relative to the config
    batch_size: int = Field(200, ge=1)
    workers: int = Field(0, ge=0)  # 0: extract in the flow process; N: Dask LocalCluster with N workers
    dask_address: str | None = None


class AlertTarget(_Strict):
    url: str
    min_severity: Literal["low", "medium", "high"] = "low"


class ScheduleSettings(_Strict):
    cron: str = "0 7 * * *"
    timezone: str = "UTC"

    @field_validator("cron")
    @classmethod
    def _cron(cls, v: str) -> str:
        fields = v.split()
        if len(fields) != 5 or not all(re.fullmatch(r"[\d*/,\-A-Za-z?]+", f) for f in fields):
            raise ValueError(f"{v!r} is not a five-field cron expression such as '0 7 * * *'")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not a time zone name such as 'Asia/Taipei' or 'UTC'") from None
        return v


class ReportSettings(_Strict):
    path: str | None = None  # the report page; default report.html beside the warehouse file
    after_run: bool = False  # write it after every `thesiswatch run` (and scheduled run)


class Settings(_Strict):
    db: str = DEFAULT_DB
    sources: list[SourceConfig] = []
    theses: list[str] = []
    alerts: list[AlertTarget | str] = []
    digest: bool = False
    alert_unknown: bool = False  # alert on changes into or out of `unknown` towards a good status
    sql_timeout: float = Field(30.0, gt=0)  # seconds a thesis check or `thesiswatch sql` may run
    fetch: FetchSettings = FetchSettings()
    extract: ExtractSettings = ExtractSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    report: ReportSettings = ReportSettings()
    base_dir: str = "."  # folder of the config file; relative paths resolve against it

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        seen: set[str] = set()
        for s in sources:
            if s.name in seen:
                raise ValueError(f"source name {s.name!r} is used twice")
            seen.add(s.name)
        return sources

    @field_validator("alerts")
    @classmethod
    def _alert_targets(cls, alerts: list) -> list[AlertTarget]:
        return [a if isinstance(a, AlertTarget) else AlertTarget(url=a) for a in alerts]

    def resolve(self, p: str | Path) -> Path:
        p = Path(os.path.expanduser(str(p)))
        return p if p.is_absolute() else (Path(self.base_dir) / p).resolve()

    @property
    def db_path(self) -> Path:
        return self.resolve(self.db)

    @property
    def report_path(self) -> Path:
        return self.resolve(self.report.path) if self.report.path else self.db_path.parent / "report.html"

    def thesis_paths(self) -> list[Path]:
        if self.theses:
            return [self.resolve(t) for t in self.theses]
        return [Path.cwd() / "theses"]


def _format_validation(path: str, err: ValidationError) -> str:
    loc, msg = first_problem(err)
    return f"{path}: {dotted(loc)}: {msg}"


def load_settings(config: str | Path | None = None, db: str | None = None,
                  env: dict[str, str] | None = None) -> Settings:
    """Build Settings from a YAML file (optional when it is the default name and absent)."""
    env = os.environ if env is None else env
    explicit = config is not None or "THESISWATCH_CONFIG" in env
    path = Path(config or env.get("THESISWATCH_CONFIG") or DEFAULT_CONFIG)
    data: dict = {}
    if path.exists():
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark else ""
            raise ConfigError(f"{path}:{line} is not valid YAML. Fix the syntax and run again") from None
        except ValueError as e:  # e.g. published: 2025-13-40, which YAML reads as a date
            raise ConfigError(f"{path}: {e}. Fix the value in the config file") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: the top level must be a mapping with `sources:`")
    elif explicit:
        raise ConfigError(f"config file {path} not found. Pass --config with an existing file")
    data["base_dir"] = str(path.resolve().parent)
    if env.get("THESISWATCH_DB"):
        data["db"] = env["THESISWATCH_DB"]
    if env.get("THESISWATCH_WORKERS"):
        if not env["THESISWATCH_WORKERS"].isdigit():
            raise ConfigError(f"THESISWATCH_WORKERS: {env['THESISWATCH_WORKERS']!r} is not a whole number. "
                              "Set it to 0 (no Dask) or a number of workers")
        data.setdefault("extract", {})["workers"] = int(env["THESISWATCH_WORKERS"])
    if db:
        data["db"] = str(Path(db).resolve())
    try:
        return Settings.model_validate(data)
    except ValidationError as e:
        raise ConfigError(_format_validation(str(path), e) + ". Fix the config file") from None
