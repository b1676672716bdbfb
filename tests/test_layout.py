"""The layout holds: each stage imports only what its room allows, SQL writes live in
warehouse/, and the packages import each other without a cycle. Read from the source with ast,
so a lazy import inside a function counts as much as one at the top."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["common", "ingest", "extractors", "warehouse", "thesis", "report", "flows"]
WRITE_SQL = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(OR\s+REPLACE\s+)?"
                       r"(TEMP\s+)?(TABLE|VIEW|INDEX|SEQUENCE|MACRO))\b", re.I)


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                lines.update(range(sub.lineno, (sub.end_lineno or sub.lineno) + 1))
    return lines


def runtime_imports(path: Path) -> set[str]:
    """Top-level module names imported when the file runs (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    out = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("package,forbidden", [
    ("common", {"prefect", "spacy", "duckdb", "flows", "ingest", "extractors", "warehouse", "thesis", "report"}),
    ("ingest", {"prefect", "spacy", "duckdb", "flows", "warehouse", "thesis", "report"}),
    ("extractors", {"prefect", "duckdb", "flows", "ingest", "warehouse", "thesis", "report"}),
    ("warehouse", {"prefect", "spacy", "flows", "ingest", "extractors", "thesis", "report", "jinja2"}),
    ("thesis", {"prefect", "spacy", "flows", "ingest", "report", "jinja2"}),
    # the page reads the warehouse and the thesis files; it never runs a flow or an extractor
    ("report", {"prefect", "spacy", "flows", "ingest", "extractors"}),
])
def test_each_stage_imports_only_what_its_room_allows(package, forbidden):
    bad = {f"{p.relative_to(ROOT)} imports {m}" for p in _files(package) for m in runtime_imports(p) & forbidden}
    assert not bad, sorted(bad)


def test_every_module_in_flows_has_a_prefect_or_cli_reason_to_be_there():
    allowed_without_prefect = {"__init__.py", "cli.py", "config.py", "progress.py", "prefect_env.py", "runner.py",
                               "server.py"}  # server.py: the `prefect server start` process behind `thesiswatch server`
    for p in _files("flows"):
        if p.name not in allowed_without_prefect:
            assert "prefect" in runtime_imports(p), f"{p.relative_to(ROOT)} does not use Prefect: move it"


def test_no_sql_write_outside_warehouse():
    offenders = []
    for package in STAGES:
        if package == "warehouse":
            continue
        for p in _files(package):
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and WRITE_SQL.search(node.value):
                    offenders.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_the_stage_packages_import_each_other_without_a_cycle():
    graph = {pkg: {m for p in _files(pkg) for m in runtime_imports(p)} & set(STAGES) - {pkg} for pkg in STAGES}

    def visit(node: str, path: list[str]) -> None:
        assert node not in path, f"import cycle: {' -> '.join(path + [node])}"
        for nxt in sorted(graph[node]):
            visit(nxt, path + [node])

    for pkg in STAGES:
        visit(pkg, [])


def test_the_write_sql_pattern_catches_what_it_should():
    for sql in ("INSERT OR IGNORE INTO runs VALUES (1)", "UPDATE runs SET x = 1", "DELETE FROM claims",
                "CREATE OR REPLACE TEMP VIEW v AS SELECT 1", "create table t (x int)"):
        assert WRITE_SQL.search(sql), sql
    for text in ("SELECT 1", "updates the status", "delete the file", "created_at"):
        assert not WRITE_SQL.search(text), text


def _modules_with_examples() -> list[str]:
    out = []
    for package in ("common", "ingest", "warehouse", "thesis", "report", "flows"):
        for p in _files(package):
            if ">>>" in p.read_text(encoding="utf-8"):
                out.append(".".join(p.relative_to(ROOT).with_suffix("").parts))
    return out


@pytest.mark.parametrize("module", _modules_with_examples())
def test_docstring_examples_hold(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
