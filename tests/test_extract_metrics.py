"""The metric vocabulary (extractors/data/metrics.yaml): the README's table is generated from it,
every metric the code emits is in it, and a mistake in it gets a message naming the key."""
from __future__ import annotations

from pathlib import Path

import pytest

from common.exceptions import DataFileError
from extractors import metrics

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert metrics.with_table(readme) == readme, (
        "README.md's metric table differs from extractors/data/metrics.yaml; "
        "run: python -m extractors.metrics --readme README.md")


def test_the_readme_command_rewrites_only_the_table(tmp_path, capsys):
    f = tmp_path / "README.md"
    f.write_text(f"# x\n\nbefore\n{metrics.README_START}\nstale\n{metrics.README_END}\nafter\n", encoding="utf-8")
    assert metrics.main(["--readme", str(f)]) == 0
    text = f.read_text(encoding="utf-8")
    assert text.startswith("# x\n\nbefore\n") and text.endswith(f"{metrics.README_END}\nafter\n")
    assert "stale" not in text and "| `profit_change` | Change in profit | money |" in text
    assert metrics.main(["--readme", str(f)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{f}: metric table already up to date"
    with pytest.raises(ValueError, match="no <!-- metrics:start -->"):
        metrics.with_table("no markers here")


def test_every_metric_the_code_can_emit_is_in_the_vocabulary():
    ids = set(metrics.metric_vocabulary())
    emitted = {r.metric for r in metrics.metric_rules()} | set(metrics.LEVEL_TO_CHANGE.values()) | {"other"}
    assert emitted <= ids
    assert metrics.LEVEL_TO_CHANGE["profit"] == "profit_change"
    assert set(metrics.LEVEL_TO_CHANGE.values()) <= metrics.SIGNED_METRICS
    assert "memory_bandwidth" in metrics.SPEC_METRICS and "price" not in metrics.SPEC_METRICS


def test_a_rule_with_after_is_tried_right_after_that_metric():
    order = [(r.metric, sorted(r.units)) for r in metrics.metric_rules()]
    i = order.index(("interconnect_bandwidth", ["bits/s", "bytes/s", "x"]))
    assert order[i - 1][0] == "memory_bandwidth" and order[i + 1] == ("memory_bandwidth", ["bytes/s"])


def test_the_metric_follows_the_rules_in_order():
    assert metrics.metric_for("USD", "目标价上调至80美元", "") == "price_target"
    assert metrics.metric_for("bytes/s", "互连带宽达1.8 TB/s", "") == "interconnect_bandwidth"
    assert metrics.metric_for("bytes/s", "带宽达8 TB/s", "") == "memory_bandwidth"
    assert metrics.metric_for("bytes/s", "达8 TB/s", "") == "other"


GOOD = """\
metrics:
  - {metric: level, description: A level, units: [count], change: move, rules: [{keywords: [level]}]}
  - {metric: move, description: A move, units: [count], signed: true}
  - {metric: other, description: The rest, rules: [{keywords: ['.']}]}
"""


@pytest.mark.parametrize("text,message", [
    (GOOD.replace("units: [count], change", "unit: [count], change"),
     "metrics[0].unit: unknown key (allowed: change, description, metric, rules, signed, spec, units)"),
    (GOOD.replace("metric: move", "metric: Move"), "metrics[1].metric: must be a snake_case id"),
    (GOOD.replace("metric: move", "metric: level"), "metrics.level: is listed twice"),
    (GOOD.replace("description: A move", "description: ''"), "metrics.move.description: must be a non-empty string"),
    (GOOD.replace("signed: true", "signed: yes please"), "metrics.move.signed: must be true or false"),
    (GOOD.replace("signed: true", "signed: false"), "metrics.level.change: 'move' is a move, so it must be signed"),
    (GOOD.replace("change: move", "change: nowhere"), "metrics.level.change: 'nowhere' is not another metric"),
    (GOOD.replace("keywords: [level]", "keywords: ['(level']"),
     "metrics.level.rules[0].keywords[0]: does not compile (missing ), unterminated subpattern at position 0)"),
    (GOOD.replace("keywords: [level]", "keywords: []"),
     "metrics.level.rules[0].keywords: must list at least one keyword"),
    (GOOD.replace("{keywords: [level]}", "{keywords: [level], units: ['%']}"),
     "metrics.level.rules[0].units: '%' is not in the metric's units"),
    (GOOD.replace("{keywords: [level]}", "{keywords: [level], after: level}"),
     "metrics.level.rules[0].after: 'level' is not another metric"),
    (GOOD.replace("{keywords: [level]}", "{keyword: [level]}"),
     "metrics.level.rules[0].keyword: unknown key (allowed: after, keywords, sentence, units)"),
    (GOOD.replace("metric: other", "metric: rest"), "metrics: needs an `other` metric, for quantities no rule places"),
    ("metric: []\n", "(file): must hold one key, metrics, a list of metric entries"),
])
def test_a_mistake_in_the_metrics_file_names_the_key(tmp_path, text, message):
    f = tmp_path / "metrics.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        metrics.read_vocabulary(f)
    assert str(info.value) == f"{f}: {message}. Fix the file."


def test_a_good_metrics_file_reads(tmp_path):
    f = tmp_path / "metrics.yaml"
    f.write_text(GOOD, encoding="utf-8")
    vocab = metrics.read_vocabulary(f)
    assert [(m.id, m.signed, m.change) for m in vocab] == [("level", False, "move"), ("move", True, None),
                                                          ("other", False, None)]
    assert "| `move` | A move | `count` | signed; the move of `level` |" in metrics.markdown_table(vocab)
