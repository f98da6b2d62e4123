"""Command line: options, terminal summary, exit codes. Nothing else lives here.

Exit status (domain.md §7): 0 every input read (warnings allowed); 1 at least
one input could not be read, or an output could not be written; 2 usage or
config error (nothing written).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

import click

from . import __version__
from .cli_words import CliWhy
from .history.summary import terminal_line
from .texts import Text

log = logging.getLogger("leadbook")


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        option = param.opts[0] if param.opts else str(param.name)
        raise Usage(CliWhy.NOT_A_DATE(option=option, value=value), ctx) from None


def _not_a_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An output folder (or init's DIR) that is a file already is a usage mistake."""
    if value is not None and value.exists() and not value.is_dir():
        option = param.opts[0] if isinstance(param, click.Option) else "DIR"
        raise Usage(CliWhy.OUT_IS_A_FILE(option=option, path=str(value)), ctx)
    return value


class Usage(click.UsageError):
    """A usage mistake said in the run's words (``why``), exit 2."""

    def __init__(self, why: Text, ctx: click.Context | None = None) -> None:
        super().__init__(str(why), ctx)
        self.why = why


class Choice(click.Choice):  # type: ignore[type-arg]
    """One of a few words; another is a usage mistake said in the run's language."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        option = param.opts[0] if param is not None and param.opts else "?"
        raise Usage(CliWhy.BAD_CHOICE(option=option, value=str(value),
                                      choices=tuple(str(c) for c in self.choices)), ctx)


class AtLeast(click.ParamType):  # type: ignore[type-arg]
    """A whole number of at least ``least``."""

    name = "integer"

    def __init__(self, least: int) -> None:
        self.least = least

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = self.least - 1
        if number < self.least:
            option = param.opts[0] if param is not None and param.opts else "?"
            raise Usage(CliWhy.BAD_NUMBER(option=option, value=str(value), least=self.least),
                        ctx)
        return number


def _lang_of(args: list[str]) -> str:
    """The language asked for on the command line, for a mistake made before the
    options were read (Chinese unless ``--lang en`` is among them)."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg == "--lang=en" else "zh"
    return "zh"


def _why_of(exc: click.UsageError) -> Text | None:
    """The parser's mistakes a manager makes, in words of the run's language."""
    if isinstance(exc, Usage):
        return exc.why
    if isinstance(exc, click.NoSuchOption):
        near = exc.possibilities or []
        return CliWhy.NO_SUCH_OPTION(
            option=exc.option_name, near=CliWhy.NEAR_OPTION(option=near[0]) if near else "")
    if isinstance(exc, click.BadOptionUsage):
        return CliWhy.NEEDS_VALUE(option=exc.option_name)
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        param = exc.param
        name = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
        return CliWhy.MISSING_ARGUMENT(name=name)
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)$", exc.message)
    if extra:
        return CliWhy.EXTRA_ARGUMENT(value=extra.group(1))
    return None


class _NoSuchError(Exception):
    """Never raised: stands for an error the installed click does not have."""


# click 8.2 and later: a group run with no command shows its help by this error.
NO_ARGS_IS_HELP: type[Exception] = getattr(click.exceptions, "NoArgsIsHelpError", _NoSuchError)


class Leadbook(click.Group):
    """leadbook's commands; a usage mistake is said in the run's language (exit 2)."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        try:
            done = super().main(given, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            if isinstance(exc, NO_ARGS_IS_HELP):  # `leadbook` alone: its help, as click shows it
                exc.show()
                sys.exit(exc.exit_code)
            why = _why_of(exc)
            lang = _lang_of(given)
            message = why.render(lang) if why is not None else exc.format_message()
            command = exc.ctx.command_path if exc.ctx is not None else "leadbook"
            if command == self.name and given and given[0] in self.commands:
                command = f"{self.name} {given[0]}"  # the parser's own error has no context
            click.echo(CliWhy.USAGE(message=message, command=command).render(lang), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            sys.exit(1)
        if not standalone_mode:
            return done
        sys.exit(done if isinstance(done, int) else 0)

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise Usage(CliWhy.NO_SUCH_COMMAND(name=name, choices=tuple(self.list_commands(ctx))),
                        ctx)
        return super().resolve_command(ctx, args)


def say(kind: CliWhy, message: str, lang: str) -> None:
    """One line on stderr, headed by the run's word for an error or a warning."""
    click.echo(kind(message=message).render(lang), err=True)


def _folder(path: Path, what: CliWhy, ctx: click.Context) -> None:
    """The inbox (or the group folder) given must be a folder that is there."""
    if path.is_dir():
        return
    if path.exists():
        raise Usage(CliWhy.NOT_A_FOLDER(path=str(path), what=what), ctx)
    raise Usage(CliWhy.NO_FOLDER(path=str(path), what=what), ctx)


@click.group(name="leadbook", cls=Leadbook,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leadbook")
def main() -> None:
    """leadbook: a dealership's lead cards and daily reports in; call lists, funnel and cost out."""


@main.command()
@click.argument("inbox", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), callback=_not_a_file,
              help="Output folder (default: INBOX/leadbook-out).")
@click.option("--as-of", "as_of", callback=_date, metavar="YYYY-MM-DD",
              help="The day the work is counted from (default: today).")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Config file (default: INBOX/leadbook.toml, else built-in defaults).")
@click.option("--from", "start", callback=_date, metavar="YYYY-MM-DD",
              help="First day of the funnel period (with --to).")
@click.option("--to", "end", callback=_date, metavar="YYYY-MM-DD",
              help="Last day of the funnel period (with --from).")
@click.option("--lang", type=Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the report workbook and the HTML page.")
@click.option("--split", is_flag=True, help="Also write due/<consultant>.xlsx, one per consultant.")
@click.option("--jobs", type=AtLeast(1), default=None,
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
    ctx = click.get_current_context()
    _folder(inbox, CliWhy.INBOX, ctx)
    if (start is None) != (end is None):
        raise Usage(CliWhy.FROM_TO_TOGETHER(), ctx)
    if start is not None and end is not None and start > end:
        raise Usage(CliWhy.FROM_AFTER_TO(start=start.isoformat(), end=end.isoformat()), ctx)
    if history is not None and no_history:
        raise Usage(CliWhy.HISTORY_BOTH(), ctx)
    try:
        config = load_config(config_path, inbox, lang)
    except ConfigError as exc:
        say(CliWhy.ERROR, exc.message(lang), lang)
        sys.exit(2)
    from .layout import LayoutError
    from .run import run_store

    out = out or inbox / "leadbook-out"
    try:
        from .progress import Progress

        progress = Progress(lang, enabled=False if quiet else None)
        result = run_store(inbox, out, config, as_of or dt.date.today(), start=start, end=end,
                           lang=lang, split=split, jobs=jobs, history=history,
                           keep_history=not no_history, progress=progress)
    except LayoutError as exc:  # an output would replace an input: nothing was written
        say(CliWhy.ERROR, exc.message(lang), lang)
        sys.exit(2)
    if not quiet:
        click.echo(terminal_summary(result.analysis.outcome.summary, config.store, out,
                                    result.written.paths, verbose, lang=lang,
                                    list_days=config.list_days))
        line = terminal_line(result.analysis.outcome.summary.get("history"), lang)
        if line:
            click.echo(line)
    from .values import mask_text

    for warning in result.warnings:
        say(CliWhy.WARNING, mask_text(warning), lang)
    for line in result.errors:
        say(CliWhy.ERROR, mask_text(line), lang)
    nothing = result.nothing_found
    if nothing:
        say(CliWhy.ERROR, mask_text(nothing[0]), lang)
        for line in nothing[1:]:
            click.echo(mask_text(line), err=True)
    sys.exit(result.exit_code)


@main.command("history")
@click.option("--history", "location", default="leadbook-history.sqlite", show_default=True,
              metavar="PATH|URL", help="History database: an SQLite file or a database URL.")
@click.option("--store", help="Only this store's runs.")
@click.option("--lang", type=Choice(["zh", "en"]), default="zh", show_default=True)
def history_command(location: str, store: str | None, lang: str) -> None:
    """List the runs kept in a history: store, as-of, period, leads, due, follow-through.

    \b
    Example:
      leadbook history --history ~/周报/本周/leadbook-history.sqlite
      leadbook history --history postgresql://leadbook@db.example/group --store XX汽车4S店
    """
    from .history.store import HistoryError, open_history
    from .history.summary import runs_table
    from .texts import render

    try:
        with open_history(location, create=False) as kept:
            runs = kept.list_runs(store)
    except HistoryError as exc:
        log.debug("history at %s not opened", location, exc_info=True)
        say(CliWhy.ERROR, render(exc.why, lang), lang)
        sys.exit(1)
    if not runs:
        click.echo(CliWhy.NO_RUNS.render(lang))
        return
    click.echo(runs_table(runs, lang))


def _logging(verbose: int, quiet: bool) -> None:
    level = (logging.ERROR if quiet else logging.DEBUG if verbose > 1
             else logging.INFO if verbose else logging.WARNING)  # -v: the readers' own words
    logging.basicConfig(level=level, format="%(levelname)s %(message)s")


def _n(value: Any, pattern: str = "{:,.0f}") -> str:
    return "—" if value is None else pattern.format(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def terminal_summary(
    s: dict[str, Any], store: str, out: Path, paths: list[Path], verbose: int,
    lang: str = "zh", list_days: int = 7,
) -> str:
    """What a run tells the manager, in the run's language and the report's words."""
    from .labels import Labels

    lab = Labels(lang)
    t = lab.fmt
    files = s["files"]
    status = {k: sum(1 for f in files if f["status"] == k) for k in ("ok", "skipped", "error")}
    leads, fu, fn, cost = s["leads"], s["followups"], s["funnel"], s["cost"]
    period = s["period"]
    lines = [
        t("term.head", store=store, start=period["start"], end=period["end"], as_of=s["as_of"]),
        t("term.files", n=len(files), ok=status["ok"], skipped=status["skipped"],
          error=status["error"]),
    ]
    skipped = [f["path"] for f in files if f["status"] == "skipped"]
    if skipped:
        lines.append(t("term.skipped", names=", ".join(skipped)))
    lines += [
        t("term.leads", total=f"{leads['total']:,}", rows=f"{leads['rows']:,}",
          duplicates=f"{leads['duplicates']:,}", regraded=f"{leads['regraded']:,}",
          new=f"{leads['new_in_period']:,}"),
        f"{lab['term.week']}: {lab.followups(fu, list_days)}",
        t("term.funnel", traffic=_n(fn["traffic"]), kept=_n(fn["kept"]),
          keep_rate=_pct(fn["keep_rate"]), followed=_n(fn["followed"]),
          follow_rate=_pct(fn["follow_rate"]), deals=_n(fn["deals"]),
          convert_rate=_pct(fn["convert_rate"])),
        t("term.cost", spend=_n(cost["spend"]), cost_per_lead=_n(cost["cost_per_lead"]),
          lost=_n(cost["lost"]), lost_share=_pct(cost["lost_share"]),
          lost_cost=_n(cost["lost_cost"])),
    ]
    if verbose:
        for who, d in fu["by_consultant"].items():
            lines.append(f"  {who}: {lab.followups(d, list_days, ('due', 'overdue', 'upcoming'))}")
    issues = s["issues"]
    errors = sum(1 for i in issues if i["severity"] == "error")
    lines.append(t("term.issues", n=f"{len(issues):,}", errors=f"{errors:,}",
                   sheet=lab["sheet.issues"]))
    if verbose:
        for i in issues:
            where = f"{i['file']} {i['sheet'] or ''} {i['row'] or '-'} {i['column'] or ''}"
            lines.append(f"  [{i['code']}] {where.strip()}: {i['message']}")
    annotated = [p for p in paths if p.parent.name == "annotated"]
    split = [p.name for p in paths if p.parent.name == "due"]
    # In one order however the outputs were shared out between processes.
    top = ["summary.json", "summary.html", "report.xlsx"]
    written = sorted((p.name for p in paths if p.parent == out),
                     key=lambda name: (top.index(name) if name in top else len(top), name))
    if annotated:
        written.append(t("term.annotated", n=len(annotated)) if len(annotated) > 1
                       else lab["term.annotated_one"])
    if split:
        written.append(t("term.split", n=len(split), names=", ".join(split)))
    lines.append(t("term.wrote", out=out, names=", ".join(written)))
    return "\n".join(lines)


# What `leadbook init` says, in each language.
INIT_WORDS = {
    "zh": {"exists": "{target} 已存在, 没有改动它 (要重新生成, 请先改名或删除它)",
           "failed": "{target}: 无法写入 ({why})",
           "wrote": "已写入 {target}: 按本店情况修改后, 放在收件箱里 (或用 --config 指定)"},
    "en": {"exists": "{target} exists already and was left as it is (rename or delete "
                     "it to write a new one)",
           "failed": "{target}: cannot be written ({why})",
           "wrote": "Wrote {target}: edit it for the store, then keep it in the inbox (or "
                    "give it with --config)"},
}


@main.command()
@click.argument("folder", metavar="[DIR]", required=False, default=".",
                type=click.Path(path_type=Path), callback=_not_a_file)
@click.option("--lang", type=Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the file's comments and of the messages.")
def init(folder: Path, lang: str) -> None:
    """Write DIR/leadbook.toml (default: here) with every key, its default and what it is
    for; an existing leadbook.toml is never overwritten."""
    from .config_keys import init_text
    from .layout import OS_WORDS
    from .texts import render
    from .write.atomic import write_text

    words = INIT_WORDS[lang]
    target = folder / "leadbook.toml"
    if target.exists():
        say(CliWhy.ERROR, words["exists"].format(target=target), lang)
        sys.exit(1)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text(target, init_text(lang))
    except OSError as exc:
        why = OS_WORDS.get(exc.errno or 0)
        shown = render(why, lang) if why else exc.strerror or type(exc).__name__
        say(CliWhy.ERROR, words["failed"].format(target=target, why=shown), lang)
        sys.exit(1)
    click.echo(words["wrote"].format(target=target))


@main.command()
@click.argument("group_dir", metavar="GROUP", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), callback=_not_a_file,
              help="Output folder: one subfolder per store, and the roll-up.")
@click.option("--as-of", "as_of", callback=_date, metavar="YYYY-MM-DD",
              help="The day the work is counted from (default: today).")
@click.option("--jobs", type=AtLeast(1), default=None,
              help="Stores processed at once (default: the number of cores).")
@click.option("--lang", type=Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the reports and pages.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def group(group_dir: Path, out: Path, as_of: dt.date | None, jobs: int | None, lang: str,
          quiet: bool) -> None:
    """Process every store of a dealer group, then roll the stores up.

    Every subfolder of GROUP that holds spreadsheets is one store's inbox, with
    its own leadbook.toml; each is processed into OUT/<subfolder>/ as
    `leadbook process` would, and group.xlsx, group.html and group.json go into OUT.

    \b
    Example:
      leadbook group ~/集团/本周 --out ~/集团/结果 --as-of 2026-11-22
    """
    from .group import find_stores, run_group
    from .lifeline import default_jobs
    from .rollup import roll_up

    _logging(0, quiet)
    _folder(group_dir, CliWhy.GROUP, click.get_current_context())
    stores = find_stores(group_dir, out)
    if not stores:
        say(CliWhy.ERROR, CliWhy.NO_STORES(group=str(group_dir)).render(lang), lang)
        sys.exit(1)
    runs = run_group(group_dir, out, as_of or dt.date.today(), jobs=jobs or default_jobs(),
                     lang=lang, stores=stores)
    failed = _write_rollup(roll_up(runs), out, lang, quiet)
    sys.exit(1 if failed or any(r.errors or r.summary is None for r in runs) else 0)


@main.command()
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), callback=_not_a_file,
              help="Output folder of the roll-up.")
@click.option("--lang", type=Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of group.xlsx and group.html.")
@click.option("--trend", is_flag=True,
              help="From a history: each store's last 12 runs too (the 趋势 sheet).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def rollup(sources: tuple[str, ...], out: Path, lang: str, trend: bool, quiet: bool) -> None:
    """Roll stores up from their outputs or from a shared history.

    Each SOURCE is a store's output folder (with its summary.json), a folder of
    such folders, or a history database (a URL such as postgresql://…, or an
    SQLite history file): stores that ran on their own machines are joined here.

    \b
    Example:
      leadbook rollup 门店A/结果 门店B/结果 --out 集团汇总
      leadbook rollup postgresql://leadbook@db/集团 --trend --out 集团汇总
    """
    from .group import SourceError, read_sources
    from .rollup import roll_up

    _logging(0, quiet)
    try:
        runs = read_sources(sources, trend=trend)
    except SourceError as exc:
        say(CliWhy.ERROR, exc.message(lang), lang)
        sys.exit(2)
    sys.exit(1 if _write_rollup(roll_up(runs), out, lang, quiet) else 0)


def _write_rollup(data: dict[str, Any], out: Path, lang: str, quiet: bool) -> bool:
    """Write the roll-up and tell the user; True when an output could not be written."""
    from .labels import Labels
    from .write.group_outputs import write_group_outputs

    written, errors = write_group_outputs(data, out, lang)
    if not quiet:
        click.echo(group_summary(data, out, written, Labels(lang)))
    for entry in data["stores"]:
        for line in entry["errors"]:
            say(CliWhy.ERROR, f"{entry['store']}: {line}", lang)
    for line in errors:
        say(CliWhy.ERROR, line, lang)
    return bool(errors)


def group_summary(data: dict[str, Any], out: Path, written: list[Path], lab: Any) -> str:
    """The roll-up in a few lines: each store, then the group."""
    lines = [lab.fmt("text.group_title", n=data["total"]["stores"])]
    for e in data["stores"]:
        if e["status"] != "ok":
            lines.append(f"  {e['store']}: {lab['text.store_failed']}")
            continue
        fn, cost = e["funnel"] or {}, e["cost"] or {}
        flags = "".join(f" ({lab[f'text.flag_{f}']})" for f in e.get("flags") or [])
        lines.append(f"  {e['store']}: {lab['fu.due']} {e['followups']['due']:,} · "
                     f"{lab['fu.overdue']} {e['followups']['overdue']:,} · "
                     f"{lab['kpi.convert_rate']} {_pct(fn.get('convert_rate'))} · "
                     f"{lab['kpi.cost_per_lead']} {_n(cost.get('cost_per_lead'))}{flags}")
    t = data["total"]
    lines.append(f"{lab['col.total']}: {lab['fu.due']} {t['followups']['due']:,} · "
                 f"{lab['fu.overdue']} {t['followups']['overdue']:,} · "
                 f"{lab['kpi.convert_rate']} {_pct(t['funnel']['convert_rate'])} · "
                 f"{lab['kpi.cost_per_lead']} {_n(t['cost']['cost_per_lead'])}")
    lines.append(lab.fmt("term.wrote", out=out, names=", ".join(p.name for p in written)))
    return "\n".join(lines)


def program() -> None:
    """The ``leadbook`` program (and ``python -m leadbook``): :func:`main`, then out
    without the interpreter's teardown.

    Once a command has returned, its outputs are written and closed; freeing every
    module and object left (pandas, the run's tables) would then take a tenth of a
    second or more of a week's run for nothing. So the exit status is handed to the
    system at once (as mypy's ``util.hard_exit`` does) after the terminal's text and
    the log are flushed. An exit with threads still running, or with a message
    instead of a status, or an exception, takes the ordinary way out.
    """
    try:
        main()
    except SystemExit as done:
        if done.code is not None and not isinstance(done.code, int):
            raise
        if threading.active_count() > 1:
            raise
        status = done.code or 0
    else:  # pragma: no cover - click's main always ends by SystemExit
        status = 0
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            status = status or 1
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    program()
