"""A thesis file: assumptions and risk conditions, each with a read-only SQL check.

Validated before anything runs: unknown keys, missing fields, SQL that is not one SELECT and
references to unknown parameters all give one error naming the file, the item and the problem.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from common.exceptions import TerminalException, ThesiswatchError
from common.validation import first_problem
from warehouse.queries import QueryError, check_select

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster

UNKNOWN = "unknown"  # no evidence in the window: absence of news is not news
ASSUMPTION_STATUSES = ("holds", "weakening", "broken", UNKNOWN)
RISK_STATUSES = ("clear", "elevated", "triggered", UNKNOWN)
GOOD_STATUSES = ("holds", "clear")
SEVERITIES = ("low", "medium", "high")
BUILTIN_PARAMS = {"as_of"}
_PARAM = re.compile(r"(?<![\w$:])\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.S)


class ThesisError(ThesiswatchError, TerminalException):
    """A thesis file that cannot be used; the message names the file, the item and the key."""


class Chart(BaseModel):
    """The numbers behind a check, drawn on the report page.

    `points` is a SELECT returning `date` and `value`, optionally `label` (printed beside the
    quote), `claim_id` (links the point to its quote) and `series` (one line per series);
    `thresholds` names parameters drawn as horizontal lines; `lines` is a SELECT returning
    `label` and `value` for lines computed from the data (a peak, a threshold below it).
    """
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    unit: str | None = None  # how values are printed: USD, %, x, count...
    points: str
    thresholds: list[str] = []
    lines: str | None = None


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$")
    statement: str
    severity: Literal["low", "medium", "high"] = "medium"
    expects: str = ""  # the evidence this check expects the extractors to produce
    parameters: dict[str, float | int | str | bool] = {}
    check: str
    evidence: str | None = None
    chart: Chart | None = None


class Thesis(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9]+([_-][a-z0-9]+)*$")
    title: str
    summary: str
    owner: str
    chain: list[str] = []  # the causal chain, in words
    parameters: dict[str, float | int | str | bool] = {}
    assumptions: list[Check] = []
    risks: list[Check] = []
    path: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> Thesis:
        ids = [a.id for a in self.assumptions] + [r.id for r in self.risks]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"ids used twice: {', '.join(dup)}")
        return self

    def items(self) -> list[tuple[str, Check]]:
        return [("assumption", a) for a in self.assumptions] + [("risk", r) for r in self.risks]

    def params_for(self, item: Check) -> dict:
        return {**self.parameters, **item.parameters}


def referenced_params(sql: str) -> set[str]:
    """$names used in SQL, ignoring string literals and comments."""
    return set(_PARAM.findall(_STRING_OR_COMMENT.sub(" ", sql)))


def _queries(item: Check) -> list[tuple[str, str | None]]:
    """(field name, SQL) of every query an item holds, its chart's included."""
    out = [("check", item.check), ("evidence", item.evidence)]
    if item.chart:
        out += [("chart.points", item.chart.points), ("chart.lines", item.chart.lines)]
    return out


def _validate_chart(path: Path, kind: str, item: Check, params: dict) -> None:
    for name in item.chart.thresholds if item.chart else []:
        value = params.get(name)
        if value is None:
            raise ThesisError(f"{path}: {kind} {item.id}: chart.thresholds names unknown parameter {name!r} "
                              f"(known: {', '.join(sorted(params)) or 'none'})")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ThesisError(f"{path}: {kind} {item.id}: chart.thresholds: parameter {name!r} is "
                              f"{value!r}, not a number")


def _validate_sql(path: Path, thesis: Thesis) -> None:
    for kind, item in thesis.items():
        known = set(thesis.params_for(item)) | BUILTIN_PARAMS
        _validate_chart(path, kind, item, thesis.params_for(item))
        for field, sql in _queries(item):
            if sql is None:
                continue
            try:
                check_select(sql)
            except QueryError as e:
                raise ThesisError(f"{path}: {kind} {item.id}: {field}: {e}") from None
            unknown = referenced_params(sql) - known
            if unknown:
                raise ThesisError(f"{path}: {kind} {item.id}: {field} uses unknown parameter "
                                  f"${sorted(unknown)[0]} (known: {', '.join(sorted(known))})")


def load_thesis(path: Path) -> Thesis:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except OSError as e:
        raise ThesisError(f"{path}: cannot read ({e.strerror})") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ThesisError(f"{path}:{mark.line + 1 if mark else '?'}: not valid YAML") from None
    if not isinstance(raw, dict):
        raise ThesisError(f"{path}: a thesis file is a mapping with id, title, assumptions")
    try:
        thesis = Thesis.model_validate({**raw, "path": str(path)})
    except ValidationError as e:
        loc, msg = first_problem(e)
        where = ""
        if len(loc) >= 2 and loc[0] in ("assumptions", "risks") and isinstance(loc[1], int):
            items = raw.get(loc[0]) or []
            item = items[loc[1]] if loc[1] < len(items) else None
            ident = item.get("id", f"#{loc[1] + 1}") if isinstance(item, dict) else f"#{loc[1] + 1}"
            where = f"{'assumption' if loc[0] == 'assumptions' else 'risk'} {ident}: "
            loc = loc[2:]
        key = ".".join(str(p) for p in loc)
        raise ThesisError(f"{path}: {where}{key + ': ' if key else ''}{msg}") from None
    _validate_sql(path, thesis)
    return thesis


def discover(paths: list[Path]) -> list[Thesis]:
    """Every thesis in the given files and folders (*.yaml, *.yml), validated."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
        elif p.exists():
            files.append(p)
        else:
            raise ThesisError(f"{p}: no such thesis file or folder. Fix `theses:` in the config")
    theses = [load_thesis(f) for f in files]
    ids = [t.id for t in theses]
    for t in theses:
        if ids.count(t.id) > 1:
            raise ThesisError(f"thesis id {t.id!r} is used by more than one file")
    return theses
