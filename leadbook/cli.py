"""Command line: options, terminal summary, exit codes. Nothing else lives here.

Exit status (domain.md §7): 0 every input read (warnings allowed); 1 at least
one input could not be read, or an output could not be written; 2 usage or
config error (nothing written).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .history.summary import terminal_line

log = logging.getLogger("leadbook")


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leadbook")
def main() -> None:
    """leadbook: a dealership's lead cards and daily reports in; call lists, funnel and cost out."""


@main.command()
@click.argument(
    "inbox", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: INBOX/leadbook-out).")
@click.option("--as-of", "as_of", callback=_date, metavar="YYYY-MM-DD",
              help="The day the work is counted from (default: today).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: INBOX/leadbook.toml, else built-in defaults).")
@click.option("--from", "start", callback=_date, metavar="YYYY-MM-DD",
              help="First day of the funnel period (with --to).")
@click.option("--to", "end", callback=_date, metavar="YYYY-MM-DD",
              help="Last day of the funnel period (with --from).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the report workbook and the HTML page.")
@click.option("--split", is_flag=True, help="Also write due/<consultant>.xlsx, one per consultant.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Workbooks processed in parallel (default: the number of cores).")
@click.option("--history", "history", metavar="PATH|URL",
              help="History database: an SQLite file or a database URL (default: the config's "
                   "history, INBOX/leadbook-history.sqlite).")
@click.option("--no-history", "no_history", is_flag=True,
              help="Keep nothing of this run and compare with nothing.")
@click.option("-v", "--verbose", count=True, help="More output: per-consultant lists, every issue.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def process(
    inbox: Path,
    out: Path | None,
    as_of: dt.date | None,
    config_path: Path | None,
    start: dt.date | None,
    end: dt.date | None,
    lang: str,
    split: bool,
    jobs: int | None,
    history: str | None,
    no_history: bool,
    verbose: int,
    quiet: bool,
) -> None:
    """Read every workbook in INBOX, re-grade the leads and write the reports.

    \b
    Example:
      leadbook process ~/周报/本周 --out ~/周报/结果 --as-of 2026-11-22
    """
    from .config import ConfigError, load_config

    _logging(verbose, quiet)
    if (start is None) != (end is None):
        raise click.UsageError("give --from and --to together, or neither")
    if start is not None and end is not None and start > end:
        raise click.UsageError(f"--from {start} is after --to {end}")
    if history is not None and no_history:
        raise click.UsageError("give --history or --no-history, not both")
    try:
        config = load_config(config_path, inbox)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    from .outputs import EarlyReport, default_jobs, write_outputs
    from .pipeline import analyse

    as_of = as_of or dt.date.today()
    out = out or inbox / "leadbook-out"
    jobs = jobs or default_jobs()
    # A run allocates millions of small objects (cells, leads, tasks) and frees few
    # of them: the collector's default of a pass every 700 allocations costs about
    # a second at 100,000 leads for nothing. A cycle still gets collected.
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    report = EarlyReport(out / "report.xlsx", jobs)
    report.prepare(inbox)
    try:
        analysis = analyse(inbox, config, as_of, start, end, lang=lang, on_tasks=report.start,
                           jobs=jobs)
        warnings = _remember(analysis, config, inbox, history, no_history)
        written = write_outputs(analysis, out, split=split, jobs=jobs, report=report)
    except BaseException:
        report.abandon()
        raise
    finally:
        gc.set_threshold(*thresholds)
    if not quiet:
        click.echo(terminal_summary(analysis.outcome.summary, config.store, out, written.paths,
                                    verbose))
        line = terminal_line(analysis.outcome.summary.get("history"), lang)
        if line:
            click.echo(line)
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    for f in analysis.failed:
        # The reader's message names the file already ("x.xlsx: refused: ...").
        named = f.message if f.message.startswith(f"{f.name}: ") else f"{f.name}: {f.message}"
        click.echo(f"Error: {named}", err=True)
    for error in written.errors:
        click.echo(f"Error: {error}", err=True)
    sys.exit(1 if analysis.failed or written.errors else 0)


@main.command("history")
@click.option("--history", "location", default="leadbook-history.sqlite", show_default=True,
              metavar="PATH|URL", help="History database: an SQLite file or a database URL.")
@click.option("--store", help="Only this store's runs.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def history_command(location: str, store: str | None, lang: str) -> None:
    """List the runs kept in a history: store, as-of, period, leads, due, follow-through.

    \b
    Example:
      leadbook history --history ~/周报/本周/leadbook-history.sqlite
      leadbook history --history postgresql://leadbook@db.example/group --store XX汽车4S店
    """
    from .history.store import HistoryError, open_history
    from .history.summary import runs_table

    try:
        with open_history(location, create=False) as kept:
            runs = kept.list_runs(store)
    except HistoryError as exc:
        log.debug("history at %s not opened", location, exc_info=True)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if not runs:
        click.echo("没有记录" if lang == "zh" else "No runs kept")
        return
    click.echo(runs_table(runs, lang))


def _remember(analysis: Any, config: Any, inbox: Path, history: str | None,
              no_history: bool) -> list[str]:
    """Keep the run in the store's history and compare (domain.md §10)."""
    from .history.remember import DEFAULT_LIST_DAYS, location_of, remember

    location = None if no_history else history or location_of(config.history, inbox)
    grades = [g.grade for g in config.scheme.grades]
    list_days = getattr(config, "list_days", DEFAULT_LIST_DAYS)
    return remember(analysis.outcome, analysis.records.leads, location, grades, list_days)


def _logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else logging.DEBUG if verbose > 1 else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(message)s")


def _n(value: Any, pattern: str = "{:,.0f}") -> str:
    return "—" if value is None else pattern.format(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def terminal_summary(
    s: dict[str, Any], store: str, out: Path, paths: list[Path], verbose: int
) -> str:
    files = s["files"]
    status = {k: sum(1 for f in files if f["status"] == k) for k in ("ok", "skipped", "error")}
    leads, fu, fn, cost = s["leads"], s["followups"], s["funnel"], s["cost"]
    period = s["period"]
    lines = [
        f"leadbook — {store}, as of {s['as_of']}, period {period['start']} … {period['end']}",
        f"Files: {len(files)} ({status['ok']} read, {status['skipped']} skipped, "
        f"{status['error']} unreadable)",
        f"Leads: {leads['total']:,} ({leads['rows']:,} rows, {leads['duplicates']:,} repeated, "
        f"{leads['regraded']:,} re-graded), new in period {leads['new_in_period']:,}",
        f"Due: {fu['due']:,} follow-ups, {fu['overdue']:,} overdue · care {fu['care']:,} · "
        f"lost review {fu['lost_review']:,}",
        f"Funnel: traffic {_n(fn['traffic'])} → kept {_n(fn['kept'])} ({_pct(fn['keep_rate'])})"
        f" → followed {_n(fn['followed'])} ({_pct(fn['follow_rate'])})"
        f" → deals {_n(fn['deals'])} ({_pct(fn['convert_rate'])})",
        f"Cost: spend {_n(cost['spend'])} · cost per lead {_n(cost['cost_per_lead'])} · "
        f"lost {_n(cost['lost'])} ({_pct(cost['lost_share'])}) · lost cost {_n(cost['lost_cost'])}",
    ]
    if verbose:
        for who, d in fu["by_consultant"].items():
            lines.append(f"  {who}: due {d['due']}, overdue {d['overdue']}")
    issues = s["issues"]
    errors = sum(1 for i in issues if i["severity"] == "error")
    lines.append(f"Issues: {len(issues):,} ({errors:,} errors) — listed in report.xlsx 数据问题")
    if verbose:
        for i in issues:
            where = f"{i['file']} {i['sheet'] or ''} row {i['row'] or '-'} {i['column'] or ''}"
            lines.append(f"  [{i['code']}] {where.strip()}: {i['message']}")
    annotated = [p for p in paths if p.parent.name == "annotated"]
    others = [p.name for p in paths if p.parent == out]
    lines.append(f"Wrote to {out}: {', '.join(others)}"
                 + (f", annotated/ ({len(annotated)} workbooks)" if annotated else ""))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
