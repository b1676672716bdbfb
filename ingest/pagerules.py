"""The rule table for reading article pages (ingest/data/pages.yaml), loaded and checked once."""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

from common.exceptions import DataFileError

PATH = Path(__file__).parent / "data" / "pages.yaml"
_NUMBERS = ("wrapper_share", "card_share", "title_only_chars", "stub_chars", "dateline_chars")
_LISTS = ("paywall_phrases", "paywall_tokens", "dateline_patterns")


@functools.cache
def page_rules() -> dict:
    """pages.yaml as a dict; a missing or mistyped entry is a DataFileError naming it."""
    try:
        data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise DataFileError(PATH, "(file)", f"not valid YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise DataFileError(PATH, "(file)", "must be a mapping of named entries")
    for key in _NUMBERS:
        if not isinstance(data.get(key), int | float) or isinstance(data.get(key), bool):
            raise DataFileError(PATH, key, "must be a number")
    for key in _LISTS:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise DataFileError(PATH, key, "must be a list of non-empty strings")
    return data
