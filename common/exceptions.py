"""One exception base for the whole project, with transient/terminal mixins (dlt's
`dlt/common/exceptions.py` is the model).

The CLI catches `ThesiswatchError` and prints its message as one line; a flow retries only
what is `TransientException`. A message says what happened and what to do next:
"Config file x.yaml: sources[2].url: must be http(s). Fix the URL."
"""
from __future__ import annotations


class ThesiswatchError(Exception):
    """Base of every error the project raises on purpose."""


class TransientException:
    """Mixin: retrying later may succeed (timeouts, 5xx, 429, a held lock)."""


class TerminalException:
    """Mixin: retrying will not help until someone changes something (404, parse error, bad file)."""


class DataFileError(ThesiswatchError, TerminalException):
    """A shipped or user data file (YAML rule table, gazetteer, metrics) has a mistake.

    >>> str(DataFileError("extractors/data/units.yaml", "units[3].pattern", "unknown reference 'cur'"))
    "extractors/data/units.yaml: units[3].pattern: unknown reference 'cur'. Fix the file."
    """

    def __init__(self, path: str, key: str, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{self.path}: {key}: {problem}. Fix the file.")
