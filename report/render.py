"""The page as HTML: a Jinja2 environment that escapes every value, and the filters it prints with.

Everything from the warehouse (titles, quotes, source names, details) is data: autoescape is on
for the whole page, and the template never marks a value safe.
"""
from __future__ import annotations

from pathlib import Path

import jinja2

from report import format as fmt

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(value=fmt.value, day=fmt.day, moment=fmt.moment)
    return env


def render(page: dict) -> str:
    return environment().get_template("page.html.j2").render(**page)
