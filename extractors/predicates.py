"""The statement vocabulary (data/predicates.yaml), checked on load, and the one regex per
language that finds its surface forms in a text."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from common.exceptions import DataFileError
from extractors.fold import to_simplified

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATA = Path(__file__).parent / "data"
GROUPS = ("comparison", "corporate", "policy", "technology", "market")
SCRIPTS = ("zh-Hant", "zh-Hans", "en")
_ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_KEYS = {"predicate", "group", "description", "object", "object_types", "qualifier", "qualifiers", "marked_first",
         "product", "forms", "reversed", "switch"}
_OBJECT = ("entity", "none", "self")
_QUALIFIER = ("none", "country", "keyword")


@dataclass(frozen=True)
class Predicate:
    id: str
    group: str
    description: str
    object: str = "entity"
    object_types: tuple[str, ...] = ()  # most wanted first
    qualifier: str = "none"
    qualifiers: tuple[tuple[str, str], ...] = ()
    marked_first: bool = False
    product: bool = False
    switch: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Cue:
    """One surface form: which predicate it names and whether its grammatical roles are reversed."""
    predicate: str
    reversed: bool


def read_predicates(path: Path) -> tuple[dict[str, Predicate], dict[str, dict[str, list[Cue]]]]:
    """(predicates by id, {"zh"|"en": {folded lower-case form: [cues]}}); a mistake names the key."""
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as e:
        raise DataFileError(path, "(file)", f"cannot be read ({str(e).splitlines()[0]})") from None
    if not isinstance(raw, dict) or set(raw) != {"predicates"} or not isinstance(raw["predicates"], list):
        raise DataFileError(path, "(file)", "must hold one key, predicates, a list of predicate entries")
    preds: dict[str, Predicate] = {}
    forms: dict[str, dict[str, list[Cue]]] = {"zh": {}, "en": {}}
    for i, entry in enumerate(raw["predicates"]):
        pred = _predicate(path, f"predicates[{i}]", entry, preds)
        preds[pred.id] = pred
        for kind in ("forms", "reversed"):
            for lang, words in _forms(path, f"predicates.{pred.id}.{kind}", entry.get(kind), kind == "forms").items():
                for w in words:
                    forms[lang].setdefault(w, []).append(Cue(pred.id, kind == "reversed"))
    for p in preds.values():
        for marker, other in p.switch:
            if other not in preds:
                raise DataFileError(path, f"predicates.{p.id}.switch.{marker}", f"{other!r} is not a predicate")
    return preds, forms


def _predicate(path: Path, key: str, entry, seen: dict) -> Predicate:
    if not isinstance(entry, dict):
        raise DataFileError(path, key, "must be a mapping with predicate, group, description and forms")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise DataFileError(path, f"{key}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(_KEYS))})")
    pid = entry.get("predicate")
    if not isinstance(pid, str) or not _ID.fullmatch(pid):
        raise DataFileError(path, f"{key}.predicate", "must be a snake_case id")
    key = f"predicates.{pid}"
    if pid in seen:
        raise DataFileError(path, key, "is listed twice")
    for field, choices in (("group", GROUPS), ("object", _OBJECT), ("qualifier", _QUALIFIER)):
        value = entry.get(field, choices[0] if field != "group" else None)
        if value not in choices:
            raise DataFileError(path, f"{key}.{field}", f"{value!r} is not one of {', '.join(choices)}")
    if not isinstance(entry.get("description"), str) or not entry["description"].strip():
        raise DataFileError(path, f"{key}.description", "must be a non-empty string")
    qualifiers = entry.get("qualifiers") or {}
    if not isinstance(qualifiers, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                   for k, v in qualifiers.items()):
        raise DataFileError(path, f"{key}.qualifiers", "must map keywords to qualifier strings")
    if (entry.get("qualifier") == "keyword") != bool(qualifiers):
        raise DataFileError(path, f"{key}.qualifiers", "are needed exactly when qualifier is keyword")
    switch = entry.get("switch") or {}
    if not isinstance(switch, dict):
        raise DataFileError(path, f"{key}.switch", "must map a marker to a predicate")
    types = entry.get("object_types") or []
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise DataFileError(path, f"{key}.object_types", "must be a list of entity types")
    for flag in ("marked_first", "product"):
        if not isinstance(entry.get(flag, False), bool):
            raise DataFileError(path, f"{key}.{flag}", "must be true or false")
    return Predicate(pid, entry["group"], entry["description"], entry.get("object", "entity"), tuple(types),
                     entry.get("qualifier", "none"),
                     tuple((to_simplified(k).lower(), v) for k, v in qualifiers.items()),
                     entry.get("marked_first", False), entry.get("product", False), tuple(switch.items()))


def _forms(path: Path, key: str, value, required: bool) -> dict[str, list[str]]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or (required and set(value) != set(SCRIPTS)) or not set(value) <= set(SCRIPTS):
        raise DataFileError(path, key, f"must list forms for each of {', '.join(SCRIPTS)}")
    out: dict[str, list[str]] = {"zh": [], "en": []}
    for script, words in value.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise DataFileError(path, f"{key}.{script}", "must be a non-empty list of strings")
        lang = "en" if script == "en" else "zh"
        out[lang] += [to_simplified(w.strip()).lower() for w in words]
    return out


@functools.cache
def vocabulary() -> tuple[dict[str, Predicate], dict[str, dict[str, list[Cue]]]]:
    return read_predicates(DATA / "predicates.yaml")


@functools.cache
def cue_regex(lang: str) -> re.Pattern:
    """Every form of one language, longest first so 取得授权 wins over 授权; whole words in English."""
    words = sorted(vocabulary()[1][lang], key=len, reverse=True)
    body = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![a-z])(?:{body})(?![a-z])" if lang == "en" else f"(?:{body})", re.I)
