"""Chart geometry for hand-written inline SVG: scales, ticks, point positions, threshold lines.

Only numbers and labels come out of here; the SVG markup is in the page template, so every
label is escaped like any other text. No chart library: see the README for the measurements.
"""
from __future__ import annotations

import math
from datetime import date, timedelta

from report import format as fmt

WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 62, 170, 14, 34  # line labels go right of the plot, where no point can be
LABEL_GAP = 13
# Colour-blind-safe series colours (Okabe–Ito), none of them the status colours' red.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")


def nice_step(span: float, ticks: int = 4) -> float:
    """A 1/2/5 x 10^k step that cuts `span` into about `ticks` parts.

    >>> nice_step(4.5e12), nice_step(47), nice_step(0.3), nice_step(0)
    (2000000000000.0, 20.0, 0.1, 1.0)
    """
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def _y_domain(values: list[float]) -> tuple[float, float, float]:
    lo, hi = min(values), max(values)
    if lo == hi:
        pad = abs(lo) * 0.2 or 1.0
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if lo < 0 <= min(values):  # never invent negative room under positive data
        lo = 0.0
    return lo, hi, step


def _x_domain(days: list[date]) -> tuple[date, date]:
    first, last = min(days), max(days)
    pad = max((last - first).days // 10, 1)
    return first - timedelta(days=pad), last + timedelta(days=pad)


def _x_ticks(days: list[date], x) -> list[dict]:
    """The dates that have points when there are few, else about six evenly between the first and last."""
    first, last = min(days), max(days)
    span = (last - first).days
    label = "%m-%d" if span < 300 and first.year == last.year else "%Y-%m"
    distinct = sorted(set(days))
    if len(distinct) > 6:
        every = max(math.ceil(span / 5), 1)
        distinct = [first + timedelta(days=i) for i in range(0, span + 1, every)]
    return [{"x": x(d), "label": d.strftime(label)} for d in distinct]


def _spread(points: list[dict], gap: float = 9.0) -> None:
    """Move a point sideways when an earlier one at the same date would hide it."""
    placed: list[tuple[float, float]] = []
    for p in points:
        x0 = p["cx"]
        while any(abs(p["cx"] - px) < gap and abs(p["cy"] - py) < gap for px, py in placed):
            p["cx"] = round(p["cx"] + gap, 1)
        placed.append((p["cx"], p["cy"]))
        p["moved"] = p["cx"] != x0


def _label_lines(lines: list[dict]) -> list[dict]:
    """The lines top to bottom, each with a label height `ty` near its own line and at least
    LABEL_GAP below the label above it.

    >>> [(ln["y"], ln["ty"]) for ln in _label_lines([{"y": 100.0}, {"y": 96.0}, {"y": 200.0}])]
    [(96.0, 100.0), (100.0, 113.0), (200.0, 204.0)]
    """
    out = sorted(({**ln} for ln in lines), key=lambda ln: ln["y"])
    last = None
    for ln in out:
        ln["ty"] = ln["y"] + 4 if last is None else max(ln["y"] + 4, last + LABEL_GAP)
        last = ln["ty"]
    return out


def layout(points: list[dict], lines: list[dict], unit: str | None, anchor: str) -> dict:
    """Everything the template draws for one chart.

    `points` are {date, value, label, claim_id, series} (thesis/charts.py); each gets an
    `href` to `#{anchor}-{n}`, the row of its quote under the chart. `lines` are {label, value}.
    """
    values = [p["value"] for p in points] + [ln["value"] for ln in lines]
    if not points:
        return {"empty": True, "width": WIDTH, "height": HEIGHT}
    lo, hi, step = _y_domain(values)
    first, last = _x_domain([p["date"] for p in points])
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    days = max((last - first).days, 1)

    def x(d: date) -> float:
        return round(LEFT + pw * (d - first).days / days, 1)

    def y(v: float) -> float:
        return round(TOP + ph * (1 - (v - lo) / (hi - lo)), 1)

    series: dict[str, dict] = {}
    drawn = []
    for n, p in enumerate(points, 1):
        s = series.setdefault(p["series"], {"name": p["series"], "colour": PALETTE[len(series) % len(PALETTE)],
                                            "points": [], "days": []})
        q = {"cx": x(p["date"]), "cy": y(p["value"]), "href": f"#{anchor}-{n}", "n": n,
             "title": " · ".join(t for t in (fmt.day(p["date"]), fmt.value(p["value"], unit), p["label"] or "") if t)}
        s["points"].append(q)
        s["days"].append(p["date"])
        drawn.append(q)
    _spread(drawn)
    for s in series.values():
        # Claims are separate reports, not a measured series: join them only when each date has one.
        joined = len(s["days"]) > 1 and len(set(s["days"])) == len(s["days"])
        s["path"] = " ".join(f"{'M' if i == 0 else 'L'}{q['cx']} {q['cy']}"
                             for i, q in enumerate(s["points"])) if joined else ""
    n_ticks = int(round((hi - lo) / step))
    return {
        "empty": False, "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
        "label_x": WIDTH - RIGHT + 6,
        "top": TOP, "bottom": HEIGHT - BOTTOM,
        "y_ticks": [{"y": y(lo + i * step), "label": fmt.value(lo + i * step, unit)} for i in range(n_ticks + 1)],
        "x_ticks": _x_ticks([p["date"] for p in points], x),
        "series": list(series.values()),
        "lines": _label_lines([{"y": y(ln["value"]),
                                "label": f"{ln['label'].replace('_', ' ')}: {fmt.value(ln['value'], unit)}"}
                               for ln in lines]),
        "legend": len(series) > 1 or any(s["name"] for s in series.values()),
    }
