"""The rule-table loader (extractors/patterns.py): references, order, flags, and one exact
error message for each kind of mistake in a pattern file."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.exceptions import DataFileError, ThesiswatchError
from extractors import patterns


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(DataFileError) as info:
        patterns.Patterns(path)
    assert isinstance(info.value, ThesiswatchError)
    return str(info.value)


def test_references_compose_lists_dictionaries_and_regexes_in_file_order(tmp_path):
    _write(tmp_path, "other", "digits: !regex '[0-9]+'\n")
    path = _write(tmp_path, "rules", r"""
words: !list [close to, about, '~']
prefixes: !dictionary {'US$': USD, '$': USD}
chars: !dictionary {一: 1, 二: 2}
approx: !regex {pattern: '({words})\s*$', flags: [IGNORECASE]}
money: !regex '(?:{prefixes}){other.digits}'
cn: !regex '[{chars:chars}]{1,3}'
alternatives: !regex {pattern: [a, b, c], gate: [a, b]}
gated: !regex {pattern: 'x', gate: '{words}'}
""")
    p = patterns.Patterns(path)
    assert p.regex("approx").pattern == r"(close to|about|~)\s*$"
    assert p.regex("approx").flags & re.IGNORECASE
    assert p.regex("money").pattern == r"(?:US\$|\$)[0-9]+"
    assert p.regex("money").fullmatch("US$12") and not p.regex("money").fullmatch("US12")
    assert p.regex("cn").pattern == "[一二]{1,3}"
    assert p.regex("alternatives").pattern == "a|b|c" and p.gate("alternatives") == ("a", "b")
    assert p.gate("approx") == () and p.gate("gated") == ("close to", "about", "~")
    assert p.list("words") == ("close to", "about", "~")
    assert p.dictionary("chars", int) == {"一": 1, "二": 2}
    assert p.dictionary("chars", float) == {"一": 1.0, "二": 2.0}
    assert p.references() == {"words", "prefixes", "other.digits", "chars"}


@pytest.mark.parametrize("text,message", [
    ("a: !regex {pattern: x, flag: [IGNORECASE]}\n", "a.flag: unknown key (allowed: flags, gate, pattern)"),
    ("a: !regex '{missing}x'\n", "a: unknown reference 'missing'"),
    ("a: !regex '{nofile.b}'\n", "a: unknown reference 'nofile.b' (no file nofile.yaml)"),
    ("a: !regex 'x{b}'\nb: !regex 'y{c}'\nc: !regex '{a}'\n", "a: reference cycle a -> b -> c -> a"),
    ("a: !regex '(unclosed'\n", "a: does not compile (missing ), unterminated subpattern at position 0)"),
    ("a: !regex {pattern: 5}\n", "a.pattern: must be a string or a list of strings, not a number"),
    ("a: !list [x, 12]\n", "a[1]: must be a string, not a number (quote it)"),
    ("a: !list [x, ~]\n", "a[1]: must be a string, not empty (quote it)"),
    ("a: !list {x: 1}\n", "a: must be a list of strings, not a mapping"),
    ("a: !dictionary {1: x}\n", "a.1: key must be a string, not a number (quote it)"),
    ("a: !dictionary {x: [1]}\n", "a.x: must be a string or a number, not a list"),
    ("a: !regex {pattern: x, flags: [IGNORECASE, VERBOSE]}\n",
     "a.flags[1]: unknown flag 'VERBOSE' (use IGNORECASE, MULTILINE, DOTALL, ASCII)"),
    ("a: !regx x\n", "a: unknown tag !regx (use !regex, !list, !dictionary)"),
    ("a: [x, y]\n", "a: needs a tag, one of !regex, !list, !dictionary"),
    ("a: !regex x\na: !regex y\n", "a: appears twice (line 2)"),
    ("Bad-Name: !regex x\n", "Bad-Name: is not a snake_case name"),
    ("- !regex x\n", "(file): must map names to !regex, !list or !dictionary entries"),
    ("a: !regex 'x\n", "line 2: is not valid YAML (found unexpected end of stream)"),
    ("a: !regex {pattern: x, flags: [IGNORECASE]}\nb: !regex '{a}y'\n",
     "b: references 'a', which needs flags IGNORECASE"),
    ("a: !regex x\nb: !regex '[{a:chars}]'\n", "b: 'a' is a regex; ':chars' needs a list or dictionary"),
    ("a: !regex {pattern: x, gate: '{b}'}\nb: !regex y\n", "a.gate: 'b' is not a list in this file"),
    ("a: !regex {pattern: x, gate: 'y'}\n", "a.gate: must be a list of strings, not a string"),
])
def test_a_mistake_names_the_file_and_the_key(tmp_path, text, message):
    path = _write(tmp_path, "bad", text)
    assert _error(path) == f"{path}: {message}. Fix the file."


def test_a_missing_file_is_a_data_file_error(tmp_path):
    path = tmp_path / "absent.yaml"
    assert _error(path) == f"{path}: (file): cannot be read (No such file or directory). Fix the file."


def test_asking_for_a_missing_entry_or_the_wrong_kind(tmp_path):
    path = _write(tmp_path, "rules", "words: !list [a]\nvalues: !dictionary {a: x, b: 2}\n")
    p = patterns.Patterns(path)
    missing = f"{path}: nope: is missing (the code needs a regex of that name)"
    with pytest.raises(DataFileError, match=re.escape(missing)):
        p.regex("nope")
    with pytest.raises(DataFileError, match=re.escape(f"{path}: words: must be a regex, not a list")):
        p.regex("words")
    with pytest.raises(DataFileError, match=re.escape(f"{path}: values.a: must be a number, not a string")):
        p.dictionary("values", float)
    with pytest.raises(DataFileError, match=re.escape(f"{path}: values.b: must be a string, not a number")):
        p.dictionary("values")


def test_every_shipped_entry_is_used_by_the_code_or_another_entry():
    import extractors.pipeline  # noqa: F401  (imports every module that reads a pattern file)
    files = sorted(patterns.FOLDER.glob("*.yaml"))
    assert files
    loaded = {f.stem: patterns.load_file(f) for f in files}
    referenced = set()
    for stem, p in loaded.items():
        referenced |= {r if "." in r else f"{stem}.{r}" for r in p.references()}
    unused = [f"{stem}.{name}" for stem, p in loaded.items() for name in p.names()
              if name not in p.used and f"{stem}.{name}" not in referenced]
    assert not unused, f"entries nothing reads: {unused}"
