"""The README stays true: its two commands exist, and its example queries and hot-set command run."""
from __future__ import annotations

import glob
import re
import shlex
import shutil

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(prefix: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [ln.split("  #")[0].strip() for b in blocks for ln in b.splitlines() if ln.strip().startswith(prefix)]


def _subcommand(args: list[str]) -> str | None:
    """The command name in `thesiswatch [--config F] [--db F] [--debug] NAME ...`."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 1 if args[i] == "--debug" else 2
    return args[i] if i < len(args) else None


READ_COMMANDS = {"sql", "status", "sources", "report", "alerts", "doctor"}
# Every read command the README prints: a reader runs them from the repository root after `make demo`.
FOLLOW_UPS = [c for c in _commands("thesiswatch ") if _subcommand(shlex.split(c)[1:]) in READ_COMMANDS]


def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    assert [ln.split("#")[0].strip() for ln in first_block.strip().splitlines()] == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


@pytest.fixture(scope="module")
def demo_config(prefect_api, tmp_path_factory):
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(EXAMPLES, root / "examples", ignore=shutil.ignore_patterns("*.duckdb*", "report.html"))
    shutil.copytree(ROOT / "theses", root / "theses")
    cfg = root / "examples" / "thesiswatch.yaml"
    out = run_cli("--config", str(cfg), "run", env={"PREFECT_API_URL": prefect_api})
    assert out.returncode == 0, out.stderr
    return cfg


def test_the_readme_prints_the_follow_up_commands_a_new_user_needs():
    names = {_subcommand(shlex.split(c)[1:]) for c in FOLLOW_UPS}
    assert {"sql", "status", "report"} <= names, names
    assert all("--config examples/thesiswatch.yaml" in c for c in FOLLOW_UPS), FOLLOW_UPS


@pytest.mark.slow
@pytest.mark.parametrize("command", FOLLOW_UPS)
def test_readme_commands_run_exactly_as_printed_from_the_repository_root(demo_config, command):
    """`demo_config`'s folder holds examples/ and theses/ as the repository does, with the
    warehouse `make demo` builds; the command runs from there, unchanged."""
    root = demo_config.parent.parent
    out = run_cli(*shlex.split(command)[1:], cwd=root)
    assert out.returncode == 0, out.stderr
    if _subcommand(shlex.split(command)[1:]) == "sql":
        assert "row" in out.stdout or "," in out.stdout


@pytest.mark.slow
def test_a_bare_status_in_the_repository_names_the_demo_command_and_that_command_works(demo_config):
    root = demo_config.parent.parent
    out = run_cli("status", cwd=root)
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    hint = re.search(r"after `make demo`, read the demo's with `(thesiswatch [^`]+)`\.$", out.stderr.strip())
    assert hint, out.stderr
    assert hint.group(1) in README  # the README prints the same line
    again = run_cli(*shlex.split(hint.group(1))[1:], cwd=root)
    assert again.returncode == 0 and "hot_set_few_gb" in again.stdout, again.stderr


def _printed_after(command: str) -> str:
    """What the README shows right after the ```sh block holding `command`: a ``` block, or
    (for a Markdown table) the lines up to the next blank line."""
    rest = README.split(f"```sh\n{command}\n```\n\n", 1)[1]
    if rest.startswith("```\n"):
        return rest[4:].split("\n```", 1)[0] + "\n"
    return rest.split("\n\n", 1)[0] + "\n"


def _run_readme_command(command: str):
    args = [a for arg in shlex.split(command)[1:]
            for a in (sorted(glob.glob(arg, root_dir=ROOT)) if "*" in arg else [arg])]
    out = run_cli(*args)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_readme_hotset_command_prints_the_figures_it_quotes():
    cmd = _commands("thesiswatch hotset theses")[0]
    stdout = _run_readme_command(cmd)
    assert _printed_after(cmd) == stdout
    for figure in ("3.74B", "671.03B", "16.19B", "11.41B"):
        assert figure in stdout and figure in README


def test_readme_hotset_table_is_the_command_output():
    cmd = _commands("thesiswatch hotset --table")[0]
    stdout = _run_readme_command(cmd)
    assert stdout.count("\n") == 2 + 13  # header, rule, one row per shipped config
    assert _printed_after(cmd) == stdout
