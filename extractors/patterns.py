"""Named rule tables (data/patterns/*.yaml): word lists, maps and regexes composed by reference,
read, checked and compiled once per process.

A pattern file maps snake_case names to tagged entries (Recognizers-Text's pattern files are the model):

    arabic: !regex '\\d+(?:\\.\\d+)?'
    en_words: !dictionary {one: 1, two: 2, half: 0.5}
    approx_words: !list [约为, 约, about, close to]
    approx_before: !regex
      pattern: '({approx_words})\\s*$'
      flags: [IGNORECASE]

- `!regex`: a pattern string, or a mapping with `pattern` (a string, or a list of alternatives
  joined with `|`), optional `flags` (IGNORECASE, MULTILINE, DOTALL, ASCII) and optional `gate`
  (strings one of which must occur in the lower-cased text for the regex to be worth running:
  a list, or `'{name}'` of a list in the same file).
- `!list`: strings. Referenced from a regex they are regex source, so escape what must be literal.
- `!dictionary`: string keys to strings or numbers. Referenced from a regex the keys are literal
  text (escaped), because the code looks the matched text up in the dictionary.

References: `{name}` in a pattern is replaced by that entry: a regex by its own pattern (its
references resolved), a list by its items and a dictionary by its keys, joined with `|` in file
order (alternation order decides matches, so the order is kept); `{name:chars}` joins them with
nothing, for use inside a character class. `{file.name}` names an entry of another file in the
same folder. Only `{` + a name + `}` is a reference, so quantifiers like `{1,3}` are untouched
(write `\\{name}` for literal braces).
Replacement is textual: group an alternation yourself, `(?:{approx_words})`. A referenced regex's
flags must be among the referring regex's flags (its own flags are not carried along).

Every mistake raises common.exceptions.DataFileError naming the file and the key: bad YAML, a
missing or unknown tag, an unknown key, a wrong type, a missing reference, a reference cycle, a
regex that does not compile, or code asking for an entry that is missing or of another kind.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from common.exceptions import DataFileError

FOLDER = Path(__file__).parent / "data" / "patterns"
FLAGS = {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL, "ASCII": re.ASCII}
KINDS = ("!regex", "!list", "!dictionary")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_REFERENCE = re.compile(r"(?<!\\)\{((?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*)(:chars)?\}")
_REGEX_KEYS = {"pattern", "flags", "gate"}
_CLASS_SPECIAL = re.compile(r"([\\\]\[^-])")
_REGEX_SPECIAL = re.compile(r"([\\.^$*+?{}\[\]|()])")


@dataclass(frozen=True)
class _Tagged:
    """A tagged YAML node, before checking."""
    kind: str
    value: object


class _Problem(Exception):
    """Raised inside the YAML constructor, turned into a DataFileError by the caller."""

    def __init__(self, key: str, problem: str):
        super().__init__(problem)
        self.key, self.problem = key, problem


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = key_node.value
            if key in seen:
                raise _Problem(str(key), f"appears twice (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_tagged(loader: _Loader, suffix: str, node: yaml.Node) -> _Tagged:
    if isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)
    return _Tagged("!" + suffix, value)


_Loader.add_multi_constructor("!", _construct_tagged)


@dataclass
class _Entry:
    kind: str
    value: object  # regex: (pattern, flags, gate); list: tuple; dictionary: dict


@functools.cache
def _entries(path: Path) -> dict[str, _Entry]:
    """One file's entries, type-checked but with references not yet resolved."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as e:
        raise DataFileError(path, "(file)", f"cannot be read ({e.strerror})") from None
    except _Problem as e:
        raise DataFileError(path, e.key, e.problem) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise DataFileError(path, where, f"is not valid YAML ({getattr(e, 'problem', None) or e})") from None
    if not isinstance(raw, dict):
        raise DataFileError(path, "(file)", "must map names to !regex, !list or !dictionary entries")
    return {str(name): _check_entry(path, name, node) for name, node in raw.items()}


def _check_entry(path: Path, name, node) -> _Entry:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise DataFileError(path, str(name), "is not a snake_case name")
    if not isinstance(node, _Tagged):
        raise DataFileError(path, name, f"needs a tag, one of {', '.join(KINDS)}")
    if node.kind not in KINDS:
        raise DataFileError(path, name, f"unknown tag {node.kind} (use {', '.join(KINDS)})")
    if node.kind == "!list":
        return _Entry("list", _strings(path, name, node.value))
    if node.kind == "!dictionary":
        return _Entry("dictionary", _dictionary(path, name, node.value))
    return _Entry("regex", _regex_spec(path, name, node.value))


def _strings(path: Path, key: str, value) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise DataFileError(path, key, f"must be a list of strings, not {_type(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise DataFileError(path, f"{key}[{i}]", f"must be a string, not {_type(item)} (quote it)")
    return tuple(value)


def _dictionary(path: Path, key: str, value) -> dict:
    if not isinstance(value, dict):
        raise DataFileError(path, key, f"must be a mapping, not {_type(value)}")
    for k, v in value.items():
        if not isinstance(k, str):
            raise DataFileError(path, f"{key}.{k}", f"key must be a string, not {_type(k)} (quote it)")
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise DataFileError(path, f"{key}.{k}", f"must be a string or a number, not {_type(v)}")
    return dict(value)


def _regex_spec(path: Path, key: str, value) -> tuple[str, int, tuple[str, ...]]:
    spec = value if isinstance(value, dict) else {"pattern": value}
    unknown = sorted(set(spec) - _REGEX_KEYS)
    if unknown:
        raise DataFileError(path, f"{key}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(_REGEX_KEYS))})")
    if "pattern" not in spec:
        raise DataFileError(path, key, "needs a pattern")
    pattern = spec["pattern"]
    if isinstance(pattern, list):
        pattern = "|".join(_strings(path, f"{key}.pattern", pattern))
    elif not isinstance(pattern, str):
        raise DataFileError(path, f"{key}.pattern", f"must be a string or a list of strings, not {_type(pattern)}")
    flags = 0
    for i, flag in enumerate(_strings(path, f"{key}.flags", spec.get("flags", []))):
        if flag not in FLAGS:
            raise DataFileError(path, f"{key}.flags[{i}]", f"unknown flag {flag!r} (use {', '.join(FLAGS)})")
        flags |= FLAGS[flag]
    gate = spec.get("gate", [])
    if isinstance(gate, str) and _REFERENCE.fullmatch(gate) and "." not in gate:
        return pattern, flags, gate  # '{name}' of a list in this file, looked up once all entries are read
    return pattern, flags, _strings(path, f"{key}.gate", gate)


def _type(value) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "true/false", list: "a list",
            dict: "a mapping", type(None): "empty"}.get(type(value), type(value).__name__)


def _literal(text: str) -> str:
    """Regex source matching `text` exactly (only regex metacharacters are escaped)."""
    return _REGEX_SPECIAL.sub(r"\\\1", text)


class _Resolver:
    """Expands references across files, remembering the chain it is in to report cycles."""

    def __init__(self):
        self.done: dict[tuple[Path, str], str] = {}
        self.chain: list[tuple[Path, str]] = []

    def lookup(self, path: Path, key: str, ref: str) -> tuple[Path, str, _Entry]:
        file, _, name = ref.rpartition(".")
        target = path.parent / f"{file}.yaml" if file else path
        if file and not target.exists():
            raise DataFileError(path, key, f"unknown reference '{ref}' (no file {target.name})")
        entry = _entries(target).get(name)
        if entry is None:
            raise DataFileError(path, key, f"unknown reference '{ref}'")
        return target, name, entry

    def expand(self, path: Path, name: str) -> str:
        """The pattern of regex `name` with every reference replaced."""
        if (path, name) in self.done:
            return self.done[(path, name)]
        if (path, name) in self.chain:
            cycle = [n for _, n in self.chain[self.chain.index((path, name)):]] + [name]
            raise DataFileError(path, name, f"reference cycle {' -> '.join(cycle)}")
        self.chain.append((path, name))
        pattern, flags, _ = _entries(path)[name].value

        def replace(m: re.Match) -> str:
            target, ref_name, entry = self.lookup(path, name, m.group(1))
            if entry.kind == "regex":
                if m.group(2):
                    raise DataFileError(path, name, f"'{m.group(1)}' is a regex; ':chars' needs a list or dictionary")
                missing = entry.value[1] & ~flags
                if missing:
                    names = ", ".join(f for f, bit in FLAGS.items() if bit & missing)
                    raise DataFileError(path, name, f"references '{m.group(1)}', which needs flags {names}")
                return self.expand(target, ref_name)
            items = entry.value if entry.kind == "list" else [_literal(k) for k in entry.value]
            if m.group(2):
                return "".join(_CLASS_SPECIAL.sub(r"\\\1", i) for i in items)
            return "|".join(items)

        out = _REFERENCE.sub(replace, pattern)
        self.chain.pop()
        self.done[(path, name)] = out
        return out


class Patterns:
    """The checked, compiled entries of one pattern file; ask for each by name and kind."""

    def __init__(self, path: Path):
        self.path = path
        self._entries = _entries(path)
        self.used: set[str] = set()  # names the code asked for, so a test can find dead entries
        resolver = _Resolver()
        self._compiled: dict[str, re.Pattern] = {}
        self._gates: dict[str, tuple[str, ...]] = {}
        for name, entry in self._entries.items():
            if entry.kind != "regex":
                continue
            gate = entry.value[2]
            if isinstance(gate, str):
                target = self._entries.get(gate[1:-1])
                if target is None or target.kind != "list":
                    raise DataFileError(path, f"{name}.gate", f"'{gate[1:-1]}' is not a list in this file")
                gate = target.value
            self._gates[name] = gate
            source = resolver.expand(path, name)
            try:
                self._compiled[name] = re.compile(source, entry.value[1])
            except re.error as e:
                raise DataFileError(path, name, f"does not compile ({e})") from None

    def _get(self, name: str, kind: str) -> _Entry:
        self.used.add(name)
        entry = self._entries.get(name)
        if entry is None:
            raise DataFileError(self.path, name, f"is missing (the code needs a {kind} of that name)")
        if entry.kind != kind:
            raise DataFileError(self.path, name, f"must be a {kind}, not a {entry.kind}")
        return entry

    def names(self) -> list[str]:
        return list(self._entries)

    def references(self) -> set[str]:
        """Every `{name}` or `{file.name}` the regexes of this file refer to."""
        return {m.group(1) for e in self._entries.values() if e.kind == "regex"
                for m in _REFERENCE.finditer(e.value[0])}

    def regex(self, name: str) -> re.Pattern:
        self._get(name, "regex")
        return self._compiled[name]

    def gate(self, name: str) -> tuple[str, ...]:
        """Substrings one of which the lower-cased text must contain for regex `name` to match."""
        self._get(name, "regex")
        return self._gates[name]

    def list(self, name: str) -> tuple[str, ...]:
        return self._get(name, "list").value

    def dictionary(self, name: str, of: type = str) -> dict:
        """Dictionary `name` with every value of type `of` (str, int or float; an int is a float too)."""
        out = {}
        for k, v in self._get(name, "dictionary").value.items():
            if not (isinstance(v, of) or (of is float and isinstance(v, int))):
                wanted = {str: "a string", int: "a whole number", float: "a number"}[of]
                raise DataFileError(self.path, f"{name}.{k}", f"must be {wanted}, not {_type(v)}")
            out[k] = of(v)
        return out


@functools.cache
def load_file(path: Path) -> Patterns:
    return Patterns(Path(path))


def load(name: str) -> Patterns:
    """The shipped pattern file `name` (data/patterns/NAME.yaml).

    >>> load("numbers").dictionary("cn_small", int)
    {'十': 10, '百': 100, '千': 1000}
    """
    return load_file(FOLDER / f"{name}.yaml")
