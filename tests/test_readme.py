"""The README stays true: its two commands exist, and its example queries and hot-set command run."""
from __future__ import annotations

import re
import shlex
import shutil

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(prefix: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [ln.split("  #")[0].strip() for b in blocks for ln in b.splitlines() if ln.strip().startswith(prefix)]


def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    assert [ln.split("#")[0].strip() for ln in first_block.strip().splitlines()] == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


@pytest.fixture(scope="module")
def demo_config(prefect_api, tmp_path_factory):
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(EXAMPLES, root / "examples", ignore=shutil.ignore_patterns("*.duckdb*"))
    shutil.copytree(ROOT / "theses", root / "theses")
    cfg = root / "examples" / "thesiswatch.yaml"
    out = run_cli("--config", str(cfg), "run", env={"PREFECT_API_URL": prefect_api})
    assert out.returncode == 0, out.stderr
    return cfg


@pytest.mark.slow
@pytest.mark.parametrize("command", _commands("thesiswatch sql"))
def test_readme_queries_run_on_the_demo_warehouse(demo_config, command):
    args = shlex.split(command)[1:]
    out = run_cli("--config", str(demo_config), *args)
    assert out.returncode == 0, out.stderr
    assert "row" in out.stdout or "," in out.stdout


def test_readme_hotset_command_prints_the_figures_it_quotes():
    cmd = _commands("thesiswatch hotset")[0]
    args = shlex.split(cmd)[1:]
    out = run_cli(*args)
    assert out.returncode == 0, out.stderr
    for figure in ("3.74B", "671.03B", "16.19B", "11.41B"):
        assert figure in out.stdout and figure in README
