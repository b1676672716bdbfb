"""One wording for pydantic validation errors, used by every file the project reads (config,
thesis, gazetteer), so no user ever sees pydantic's own phrasing ("Value error, ...")."""
from __future__ import annotations

from pydantic import ValidationError


def first_problem(err: ValidationError) -> tuple[list, str]:
    """(location, message) of the first error, the message in plain words.

    >>> from pydantic import BaseModel, field_validator
    >>> class M(BaseModel):
    ...     n: int
    ...     @field_validator("n")
    ...     @classmethod
    ...     def positive(cls, v):
    ...         if v < 0:
    ...             raise ValueError("must be 0 or more")
    ...         return v
    >>> try:
    ...     M(n=-1)
    ... except ValidationError as e:
    ...     print(first_problem(e))
    (['n'], 'must be 0 or more')
    """
    first = err.errors()[0]
    kind, msg = first["type"], first["msg"]
    if kind == "extra_forbidden":
        msg = "unknown key"
    elif kind == "missing":
        msg = "missing field"
    elif kind == "literal_error":
        msg = f"{first.get('input')!r} is not one of {first['ctx']['expected']}"
    elif kind in ("value_error", "assertion_error"):
        msg = str(first.get("ctx", {}).get("error") or msg.split(", ", 1)[-1])
    return list(first["loc"]), msg


def dotted(loc: list) -> str:
    """`sources.2.url` for ['sources', 2, 'url']; '(top level)' when empty."""
    return ".".join(str(p) for p in loc) or "(top level)"
