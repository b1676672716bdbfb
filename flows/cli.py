"""The `thesiswatch` command line.

Read commands (sql, sources, status, alerts, doctor) import neither Prefect nor spaCy, so they
start fast. Errors print one line, `Error: <what happened>. <what to do>.`, and exit 1; bad
usage exits 2. --debug shows the traceback instead.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from common.exceptions import ThesiswatchError
from flows.config import DEFAULT_CONFIG, ConfigError, Settings, load_settings


def _remember(ctx: click.Context, param: click.Parameter, value):
    """Store a global option given after the command name where the group's own copy goes."""
    if value not in (None, False):
        ctx.find_root().ensure_object(dict)[param.name] = value


def _global_options() -> list[click.Option]:
    """--config, --db and --debug, accepted after any command name as well as before it."""
    return [
        click.Option(["--config", "config"], type=click.Path(dir_okay=False), expose_value=False,
                     callback=_remember, help="Config file (default: ./thesiswatch.yaml)."),
        click.Option(["--db", "db"], type=click.Path(dir_okay=False), expose_value=False, callback=_remember,
                     help="Warehouse file (default: the config's `db:`, else ./thesiswatch.duckdb)."),
        click.Option(["--debug", "debug"], is_flag=True, expose_value=False, callback=_remember,
                     help="Show tracebacks instead of one-line errors."),
    ]


class Cli(click.Group):
    """The command group: global options on every command, and one-line errors."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.params.extend(_global_options())
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as e:
            if ctx.obj and ctx.obj.get("debug"):
                import traceback
                traceback.print_exc()
                ctx.exit(1)
            if isinstance(e, ThesiswatchError):
                msg = str(e).rstrip(".") + _demo_hint(ctx, e)
            else:
                msg = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else 'unexpected failure'}. " \
                      f"Run again with --debug for the traceback"
            click.echo(f"Error: {msg}.", err=True)
            ctx.exit(1)


DEMO_CONFIG = Path("examples") / "thesiswatch.yaml"


def _demo_hint(ctx: click.Context, e: Exception) -> str:
    """Where the demo's warehouse is, for a read command run bare in the repository after `make demo`."""
    from warehouse.db import NoWarehouse
    obj = ctx.obj or {}
    if (isinstance(e, NoWarehouse) and not obj.get("config") and not obj.get("db")
            and not Path(DEFAULT_CONFIG).exists() and DEMO_CONFIG.exists()):
        cmd = ctx.invoked_subcommand or "status"
        example = f"thesiswatch --config {DEMO_CONFIG} {cmd}{' ...' if cmd == 'sql' else ''}"
        return f"; after `make demo`, read the demo's with `{example}`"
    return ""


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config", type=click.Path(dir_okay=False), envvar="THESISWATCH_CONFIG",
              help="Config file (default: ./thesiswatch.yaml).")
@click.option("--db", "db", type=click.Path(dir_okay=False),
              help="Warehouse file (default: the config's `db:`, else ./thesiswatch.duckdb).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option("0.1.0", prog_name="thesiswatch")
@click.pass_context
def cli(ctx: click.Context, config: str | None, db: str | None, debug: bool) -> None:
    """Keep an investment thesis honest against the daily news.

    \b
    thesiswatch run                 ingest, extract, evaluate and alert once
    thesiswatch status              where each assumption stands
    thesiswatch sql "SELECT ..."    query the warehouse (read-only)
    """
    ctx.ensure_object(dict)
    ctx.obj.update(config=config, db=db, debug=debug)


def settings_of(ctx: click.Context) -> Settings:
    if "settings" not in ctx.obj:
        ctx.obj["settings"] = load_settings(ctx.obj["config"], ctx.obj["db"])
    return ctx.obj["settings"]


def _console():
    import shutil

    from rich.console import Console
    # Piped output has no terminal width; a wide default keeps tables readable in logs and files.
    width = shutil.get_terminal_size((160, 24)).columns if sys.stdout.isatty() else 160
    return Console(width=max(width, 100), soft_wrap=False)


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:
            return "NaN"
        if abs(v) >= 1e6 or (abs(v) < 1e-3 and v != 0):
            return f"{v:.4g}"
        return f"{v:,.4f}".rstrip("0").rstrip(".")
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    return str(v)


def print_table(cols: list[str], rows: list, fmt: str = "table", title: str | None = None) -> None:
    if fmt == "json":
        records = [dict(zip(cols, r, strict=True)) for r in rows]
        click.echo(json.dumps(records, default=str, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(cols)
        w.writerows([[_fmt(v) for v in r] for r in rows])
        click.echo(buf.getvalue(), nl=False)
        return
    from rich.table import Table
    t = Table(title=title, show_lines=False, header_style="bold")
    for c in cols:
        t.add_column(c, overflow="fold", max_width=60)
    for r in rows:
        t.add_row(*[_fmt(v) for v in r])
    _console().print(t)
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _notice(msg: str) -> None:
    click.echo(msg, err=True)


# ---------------------------------------------------------------- ingest and run

@cli.command()
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]),
              help="Evaluate as of this date (default: the newest article's date).")
@click.option("--workers", type=click.IntRange(min=0), help="Extract on a Dask LocalCluster with N workers.")
@click.option("--dask-address", help="Extract on an existing Dask cluster (tcp://host:8786).")
@click.option("--no-evaluate", is_flag=True, help="Skip thesis evaluation and alerts.")
@click.option("--verbose", is_flag=True, help="Show Prefect's own logs.")
@click.pass_context
def run(ctx, as_of, workers, dask_address, no_evaluate, verbose):
    """Run the daily_ingest flow once: fetch, parse, dedup, load, extract, evaluate, alert."""
    settings = settings_of(ctx)
    if not settings.sources:
        raise ConfigError(f"no sources configured in {ctx.obj['config'] or 'thesiswatch.yaml'}. "
                          "Add a `sources:` list (see README)")
    if workers is not None:
        settings.extract.workers = workers
    if dask_address:
        settings.extract.dask_address = dask_address
    _check_alert_targets(settings)
    if not no_evaluate:
        from thesis.model import discover
        discover(settings.thesis_paths())  # a broken thesis file stops us before any work
    from warehouse.db import RunLock
    with RunLock(settings.db_path):  # refuse a second writer before Prefect even starts
        _prefect(verbose)
        result = _run_with_progress(settings, as_of.date() if as_of else None, not no_evaluate)
    _print_run_summary(result)


def _prefect(verbose: bool = False) -> None:
    """Before a flow: stop what a killed run left behind, use the server `thesiswatch server start`
    keeps running (or PREFECT_API_URL), and say so when Prefect must start a temporary one."""
    from flows.prefect_env import configure, reap_orphans
    from flows.server import use_running_server
    reap_orphans()  # a killed earlier run may have left Prefect's temporary server running
    if use_running_server() is None:
        click.echo("Starting Prefect's temporary server (~10 s); `thesiswatch server start` keeps one "
                   "running so runs start at once.", err=True)
    configure(verbose)


def _check_alert_targets(settings: Settings) -> None:
    if settings.alerts:
        from thesis.alerts import check_targets
        check_targets(settings)


def _run_with_progress(settings: Settings, as_of: date | None, evaluate: bool) -> dict:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows import progress as prog
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   transient=False, disable=not sys.stderr.isatty(), console=None)
    tasks: dict[str, int] = {}

    def on(event: str, data: dict) -> None:
        if event == "fetch-start":
            tasks["fetch"] = bar.add_task("Fetching sources", total=len(data["sources"]))
        elif event == "fetch-done":
            bar.advance(tasks["fetch"])
        elif event == "extract-start":
            tasks["extract"] = bar.add_task("Extracting claims", total=data["articles"])
        elif event == "extract-batch":
            bar.advance(tasks["extract"], data["articles"])

    prog.set_reporter(on)
    try:
        with bar:
            from flows.runner import run_flow
            return run_flow(settings, as_of=as_of, evaluate=evaluate)
    finally:
        prog.set_reporter(None)


def _print_run_summary(result: dict) -> None:
    rows = [(r["source"], r["status"], r["fetched"], r["new"], r["duplicates"],
             1 if r["status"] == "failed" else 0, r["error"] or "") for r in result["sources"]]
    print_table(["source", "status", "fetched", "new", "duplicate", "failed", "reason"], rows,
                title=f"Run {result['run_id']}")
    n_failed = sum(1 for r in result["sources"] if r["status"] == "failed")
    click.echo(f"{sum(r['new'] for r in result['sources'])} new articles, "
               f"{result['claims']} claims extracted, {n_failed} failed source(s). Warehouse: {result['db']}")
    skipped = result.get("skipped_articles") or []
    if skipped:
        click.echo(f"{len(skipped)} article(s) could not be extracted and are skipped until the extractor "
                   f"changes (first: {skipped[0]['article_id']}: {skipped[0]['error']}). See `thesiswatch doctor`.")
    statuses = result.get("statuses") or []
    if statuses:
        changed = [s for s in statuses if s.get("changed")]
        click.echo(f"Evaluated {len(statuses)} assumption(s); {len(changed)} changed status.")
        for s in changed:
            label = "ALERT" if s.get("alerted", True) else "noted"  # into/out of unknown: recorded only
            click.echo(f"  {label} {s['thesis_id']}/{s['assumption_id']}: {s['old_status'] or 'new'} -> "
                       f"{s['status']} (value {_fmt(s['value'])})")
    page = result.get("report")
    if page and page["error"]:
        click.echo(f"Report not written: {page['error']}.")
    elif page:
        click.echo(f"Report: {_shown_path(Path(page['path']))}")
    alerts = result.get("alerts") or {}
    if alerts.get("failed"):
        click.echo(f"{alerts['failed']} alert(s) could not be delivered; they wait in the outbox "
                   "and are retried on the next run.")


@cli.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--wait", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to wait for a writing run to let go of the warehouse.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
              help="Seconds before the query is stopped (default: the config's sql_timeout, 30).")
@click.pass_context
def sql(ctx, query, fmt, wait, timeout):
    """Run one read-only SELECT against the warehouse and print the rows.

    \b
    thesiswatch sql "SELECT subject, metric, value, unit FROM v_latest_claims LIMIT 10"
    """
    from warehouse.db import read_connection
    from warehouse.queries import check_select, guarded, run_select
    check_select(query)
    settings = settings_of(ctx)
    with read_connection(settings.db_path, wait, _notice) as con:
        cols, rows = run_select(guarded(con), query, timeout=timeout or settings.sql_timeout)
    print_table(cols, rows, fmt)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--wait", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to wait for a writing run to let go of the warehouse.")
@click.pass_context
def sources(ctx, fmt, wait):
    """List configured sources with their last fetch status."""
    from warehouse.db import WarehouseError, read_connection
    from warehouse.queries import source_health
    settings = settings_of(ctx)
    last: dict[str, dict] = {}
    try:
        with read_connection(settings.db_path, wait, _notice) as con:
            last = source_health(con)
    except WarehouseError as e:
        if settings.db_path.exists():
            raise
        _notice(f"Note: {e}.")
    rows = []
    for s in settings.sources:
        r = last.get(s.name)
        rows.append((s.name, s.kind, s.location, r["last_status"] if r else "never fetched",
                     r["last_fetch"] if r else None, r["articles"] if r else 0, (r["error"] or "") if r else ""))
    print_table(["name", "kind", "location", "last status", "last fetch", "articles", "last error"], rows, fmt)


# ---------------------------------------------------------------- extraction

@cli.command()
@click.argument("file", type=click.File("rb"))
@click.option("--lang", type=click.Choice(["zh-Hant", "zh-Hans", "en"]), help="Override language detection.")
@click.option("--published", type=click.DateTime(["%Y-%m-%d"]), help="Article date for 今年/明年/next year.")
@click.option("--locale", type=click.Choice(["TW", "CN", "HK", "US"]), help="Source locale (decides a bare 元).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_context
def extract(ctx, file, lang, published, locale, as_json):
    """Print the entities, numeric claims and statements of a text FILE (or - for stdin)."""
    from extractors.pipeline import get_extractor
    from ingest.charset import decode
    raw = file.read()
    if b"\x00" in raw[:4096]:
        raise click.BadParameter("the input looks binary, not text; give a UTF-8, Big5 or GB18030 text file",
                                 param_hint="FILE")
    text = decode(raw)[0]
    settings = settings_of(ctx)
    files = tuple(str(settings.resolve(p)) for p in settings.extract.entities)
    res = get_extractor(settings.extract.model, files).extract(
        text, lang=lang, published=published.date() if published else None, locale=locale)
    if as_json:
        keys_e = ["id", "type", "text", "start", "end", "attributes"]
        keys_c = ["value", "unit", "low", "high", "qualifier", "previous_value", "subject", "metric", "period",
                  "quote", "sentence", "start", "end"]
        click.echo(json.dumps({"entities": [{k: e[k] for k in keys_e} for e in res["entities"]],
                               "claims": [{k: c[k] for k in keys_c} for c in res["claims"]],
                               "statements": res["statements"]},
                              ensure_ascii=False, indent=2))
        return
    print_table(["id", "type", "text", "start", "end"],
                [(e["id"], e["type"], e["text"], e["start"], e["end"]) for e in res["entities"]], title="Entities")
    print_table(["quote", "value", "unit", "qualifier", "previous", "subject", "metric", "period"],
                [(c["quote"], c["value"], c["unit"], c["qualifier"], c["previous_value"], c["subject"], c["metric"],
                  c["period"]) for c in res["claims"]], title="Claims")
    print_table(["quote", "subject", "predicate", "object", "qualifier", "polarity", "modality", "claims"],
                [(s["quote"], s["subject"] or s["subject_text"], s["predicate"], s["object"] or s["object_text"],
                  s["qualifier"], s["polarity"], s["modality"], ", ".join(map(str, s["claims"])))
                 for s in res["statements"]], title="Statements")


@cli.command(name="eval")
@click.option("--gold", type=click.Path(exists=True, file_okay=False),
              help="Gold folder (default: the --part folder under tests/gold).")
@click.option("--part", type=click.Choice(["dev", "test"]), default="dev", show_default=True,
              help="dev (tests/gold/texts, tuned on) or test (tests/gold/test, held out: score it when done).")
@click.option("--errors", is_flag=True, help="List every miss and false positive.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--numbers", is_flag=True, help="Score the number suite (tests/numbers) instead of the gold set.")
@click.option("--pages", is_flag=True, help="Score the page reader's main text on the page corpus (tests/pages).")
@click.option("--pin", is_flag=True, help="Pin the dev scores as the floors in tests/gold/floors.json.")
@click.option("--allow-lower", is_flag=True, help="With --pin: allow a floor to go down.")
def eval_cmd(gold, part, errors, as_json, numbers, pages, pin, allow_lower):
    """Score the extractor on the gold sets (claims, then statements), the number suite or the page corpus."""
    from extractors.evaluate import (
        default_gold_dir,
        default_statement_dir,
        evaluate_gold,
        evaluate_statements,
        render_report,
    )
    if pages:
        from ingest.pagescore import evaluate_pages, render
        r = evaluate_pages(Path(gold) if gold else None)
        click.echo(json.dumps({k: v for k, v in r.items() if k != "results"}, indent=2) if as_json
                   else render(r, show_errors=errors))
        return
    if numbers:
        from extractors.suite import evaluate_suite, render_suite
        r = evaluate_suite(Path(gold) if gold else None)
        click.echo(json.dumps({k: v for k, v in r.items() if k != "failures"}, indent=2) if as_json
                   else render_suite(r, show_failures=errors))
        return
    folder = Path(gold) if gold else default_gold_dir(part)
    if pin and (gold or part != "dev"):
        raise click.BadParameter("floors are pinned on the dev part only; drop --gold/--part", param_hint="--pin")
    report = evaluate_gold(folder)
    statement_dir = default_statement_dir(part)
    if not gold and statement_dir.is_dir():
        report["statement_set"] = evaluate_statements(statement_dir)
    if as_json:
        out = {k: v for k, v in report.items() if k != "errors"}
        if "statement_set" in out:
            out["statement_set"] = {k: v for k, v in out["statement_set"].items() if k != "errors"}
        click.echo(json.dumps(out, indent=2))
    else:
        click.echo(render_report(report, show_errors=errors))
    if pin:
        from extractors.floors import pin as do_pin
        for rep, where in ((report, folder), (report.get("statement_set"), statement_dir)):
            if rep is None:
                continue
            path = where.parent / "floors.json"
            out = do_pin(rep, where, path, allow_lower)
            click.echo(f"Pinned floors in {path}: " + ", ".join(f"{k} {v}" for k, v in out["floors"].items()))


@cli.command()
@click.pass_context
def reextract(ctx):
    """Rebuild entities and claims of every article with the current extractor version."""
    _prefect()
    from flows.runner import reextract_all
    n = reextract_all(settings_of(ctx))
    click.echo(f"Re-extracted {n['articles']} articles: {n['claims']} claims.")


# ---------------------------------------------------------------- theses

@cli.command()
@click.argument("thesis_file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def check(ctx, thesis_file):
    """Validate a thesis file and dry-run its checks against the warehouse (nothing recorded)."""
    from thesis.evaluate import dry_run
    from thesis.model import load_thesis
    thesis = load_thesis(Path(thesis_file))
    settings = settings_of(ctx)
    results = dry_run(settings, thesis)
    click.echo(f"{thesis_file}: valid ({len(thesis.assumptions)} assumptions, {len(thesis.risks)} risk conditions)")
    print_table(["id", "kind", "status", "value", "evidence", "detail"],
                [(r["assumption_id"], r["kind"], r["status"], r["value"], len(r["evidence_ids"] or []), r["detail"])
                 for r in results])


@cli.command()
@click.option("--replay", is_flag=True, help="Recompute the status history over every stored run's date.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]))
@click.pass_context
def evaluate(ctx, replay, as_of):
    """Evaluate every thesis now (or replay history) and deliver alerts."""
    from thesis.alerts import deliver_pending
    from thesis.evaluate import evaluate_and_record, replay_history
    settings = settings_of(ctx)
    _check_alert_targets(settings)
    from warehouse.db import RunLock
    with RunLock(settings.db_path):
        if replay:
            n = replay_history(settings)
            click.echo(f"Replayed {n['runs']} run date(s): {n['rows']} status rows rebuilt.")
            return
        import uuid
        run_id = f"eval-{uuid.uuid4().hex[:12]}"
        statuses = evaluate_and_record(settings, run_id, as_of.date() if as_of else None)
        sent = deliver_pending(settings)
    print_table(["thesis", "assumption", "status", "value", "changed"],
                [(s["thesis_id"], s["assumption_id"], s["status"], s["value"], "yes" if s["changed"] else "")
                 for s in statuses])
    if sent.get("sent") or sent.get("failed"):
        click.echo(f"Alerts: {sent.get('sent', 0)} sent, {sent.get('failed', 0)} waiting in the outbox.")


@cli.command()
@click.argument("thesis", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.option("--wait", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to wait for a writing run to let go of the warehouse.")
@click.pass_context
def status(ctx, thesis, as_json, wait):
    """Where each assumption stands: status, since when, value, evidence count."""
    from warehouse.db import read_connection
    from warehouse.queries import status_board, thesis_ids
    with read_connection(settings_of(ctx).db_path, wait, _notice) as con:
        rows = status_board(con, thesis)
        known = thesis_ids(con)
    if thesis and not rows and known:
        raise click.BadParameter(f"no thesis {thesis!r} in the warehouse (known: {', '.join(known)})",
                                 param_hint="THESIS")
    if as_json:
        click.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No evaluations yet. Run `thesiswatch run` or `thesiswatch evaluate`.")
        return
    keys = ["thesis_id", "assumption_id", "kind", "severity", "status", "since", "value", "evidence"]
    print_table(["thesis", "assumption", "kind", "severity", "status", "since", "value", "evidence"],
                [[r[k] for k in keys] for r in rows])


@cli.command()
@click.argument("assumption")
@click.option("--thesis", help="Thesis id, when the assumption id is not unique.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Evidence items to show.")
@click.option("--wait", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to wait for a writing run to let go of the warehouse.")
@click.pass_context
def why(ctx, assumption, thesis, limit, wait):
    """Why an assumption reads what it reads: its status, detail and evidence (statements with
    their polarity and modality, claims, articles), in the order the check ranked them."""
    from thesis.alerts import evidence_line
    from warehouse.db import read_connection
    from warehouse.queries import evidence_rows, status_of
    with read_connection(settings_of(ctx).db_path, wait, _notice) as con:
        rows = status_of(con, assumption, thesis)
        if len(rows) > 1:
            raise click.BadParameter(f"{assumption!r} exists in several theses "
                                     f"({', '.join(r['thesis_id'] for r in rows)}); pass --thesis",
                                     param_hint="ASSUMPTION")
        evidence = evidence_rows(con, rows[0]["evidence_ids"] or [], limit) if rows else []
    if not rows:
        raise click.BadParameter(f"no status recorded for {assumption!r}. Run `thesiswatch status` to see the ids",
                                 param_hint="ASSUMPTION")
    r = rows[0]
    value = "n/a" if r["value"] is None else f"{r['value']:.6g}"
    click.echo(f"{r['thesis_id']}/{r['assumption_id']}: {r['status']} (value {value}, as of {r['as_of']})")
    if r["detail"]:
        click.echo(f"Detail: {r['detail']}")
    total = len(r["evidence_ids"] or [])
    click.echo(f"Evidence ({total}{', first ' + str(len(evidence)) if total > len(evidence) else ''}):"
               if total else "Evidence: none recorded")
    for e in evidence:
        click.echo(evidence_line(e) + f" [{e['id']}]")


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False),
              help="HTML file to write (default: the config's report.path, else report.html beside the warehouse).")
@click.option("--thesis", "thesis_id", help="Only this thesis (default: every configured thesis).")
@click.option("--wait", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to wait for a writing run to let go of the warehouse.")
@click.pass_context
def report(ctx, out, thesis_id, wait):
    """Write the analyst's report page: what changed, status board, charts, source health."""
    from report.page import UnknownThesis, write_report
    try:
        path = write_report(settings_of(ctx), Path(out) if out else None, thesis_id, wait)
    except UnknownThesis as e:
        raise click.BadParameter(str(e), param_hint="--thesis") from None
    click.echo(f"Report: {_shown_path(path)}")


def _shown_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it: what a user can paste back."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--wait", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to wait for a writing run to let go of the warehouse.")
@click.pass_context
def alerts(ctx, fmt, wait):
    """List sent, pending and snoozed alerts."""
    from warehouse.db import read_connection
    from warehouse.queries import ALERT_COLUMNS, alert_log
    with read_connection(settings_of(ctx).db_path, wait, _notice) as con:
        rows = alert_log(con)
    print_table(ALERT_COLUMNS, [[r[c] for c in ALERT_COLUMNS] for r in rows], fmt)


@cli.command()
@click.argument("assumption")
@click.option("--until", "until", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last muted day.")
@click.option("--thesis", help="Thesis id, when the assumption id is not unique.")
@click.pass_context
def snooze(ctx, assumption, until, thesis):
    """Mute one assumption's alerts until a date (its status is still recorded)."""
    from thesis.alerts import snooze as do_snooze
    tid = do_snooze(settings_of(ctx), assumption, until.date(), thesis)
    click.echo(f"Snoozed {tid}/{assumption} until {until.date()}.")


@cli.command()
@click.argument("config_json", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.option("--table", is_flag=True, help="One Markdown row per config: totals vs published, hot sets.")
def hotset(config_json, as_json, table):
    """Hot (always-read) vs routed weights of an MoE model from its config.json."""
    from thesis import hotset as hs
    code = hs.main([*config_json] + (["--json"] if as_json else []) + (["--table"] if table else []))
    sys.exit(code or 0)


# ---------------------------------------------------------------- operations

@cli.command()
@click.option("--wait", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to wait for a writing run to let go of the warehouse.")
@click.option("--repair", is_flag=True, help="Clear what can be cleared: dangling rows, runs whose process is gone.")
@click.pass_context
def doctor(ctx, wait, repair):
    """Check the warehouse's integrity: schema, orphans, duplicates, dangling claims, stuck runs."""
    from warehouse.db import RunLock, read_connection, transaction
    from warehouse.integrity import repair as do_repair
    from warehouse.integrity import run_checks
    db = settings_of(ctx).db_path
    lock = RunLock(db)
    with read_connection(db, wait, _notice) as con:
        results = run_checks(con, run_in_progress=lock.held_elsewhere())
    if repair and not all(r["ok"] for r in results):
        with lock:  # refuses while a run is writing
            with transaction(db) as con:
                fixed = do_repair(con, [r["check"] for r in results if not r["ok"]])
            with read_connection(db, wait, _notice) as con:
                results = run_checks(con)
        click.echo(f"Repaired: {', '.join(fixed) or 'nothing that can be repaired'}.")
    print_table(["check", "result", "detail"],
                [(r["check"], "ok" if r["ok"] else "FAIL", r["detail"]) for r in results])
    if not all(r["ok"] for r in results):
        click.echo("Error: the warehouse failed an integrity check. See the table above.", err=True)
        ctx.exit(1)


@cli.command()
@click.pass_context
def migrate(ctx):
    """Create or upgrade the warehouse schema."""
    from warehouse.db import LATEST_VERSION, write_connection
    with write_connection(settings_of(ctx).db_path):
        pass
    click.echo(f"{settings_of(ctx).db_path}: schema version {LATEST_VERSION}.")


@cli.command()
@click.option("--cron", help="Cron schedule (default: the config's schedule.cron, 0 7 * * *).")
@click.option("--timezone", "tz", help="Time zone for the schedule (default: schedule.timezone).")
@click.pass_context
def serve(ctx, cron, tz):
    """Serve daily_ingest on a cron schedule until stopped (Ctrl-C)."""
    settings = settings_of(ctx)
    from flows.server import use_running_server
    if not use_running_server():
        raise ConfigError("serve needs a Prefect server: Prefect's temporary server cannot run schedules. "
                          "Start one with `thesiswatch server start` (or set PREFECT_API_URL to yours)")
    _prefect(verbose=True)
    from flows.runner import serve as do_serve
    do_serve(settings, ctx.obj["config"], ctx.obj["db"], cron or settings.schedule.cron,
             tz or settings.schedule.timezone)


@cli.command()
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.pass_context
def backfill(ctx, start, end):
    """Replay directory and text-export sources day by day, evaluating as of each day."""
    if end < start:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    settings = settings_of(ctx)
    _prefect()
    from flows.runner import backfill as do_backfill
    for day, result in do_backfill(settings, start.date(), end.date()):
        new = sum(r["new"] for r in result["sources"])
        changed = [s for s in result.get("statuses") or [] if s.get("changed")]
        click.echo(f"{day}: {new} new articles, {result['claims']} claims, {len(changed)} status change(s)")


@cli.group(cls=Cli)
def server():
    """A local Prefect server kept running between runs, so runs start at once."""


@server.command("start")
@click.option("--port", type=click.IntRange(1, 65535), default=4200, show_default=True)
def server_start(port):
    """Start the server in the background and wait until it answers."""
    from flows import server as srv
    state = srv.start(port, echo=lambda m: click.echo(m, err=True))
    click.echo(f"Prefect server running on {state.url} (pid {state.pid}, log {state.log}). "
               "thesiswatch run uses it from now on; `thesiswatch server stop` stops it.")


@server.command("stop")
def server_stop():
    """Stop the server `thesiswatch server start` started."""
    from flows import server as srv
    click.echo("Stopped the Prefect server." if srv.stop() else "No Prefect server started by thesiswatch is running.")


@server.command("status")
def server_status():
    """Whether the server is running, and where; exits 1 when it is not."""
    from flows import server as srv
    state = srv.running()
    if state is None:
        click.echo("Not running: runs start Prefect's temporary server (~10 s). Start one with "
                   "`thesiswatch server start`.")
        sys.exit(1)
    click.echo(f"Running on {state.url} (pid {state.pid}, log {state.log}).")


def main() -> None:
    cli(obj={})


if __name__ == "__main__":
    main()
