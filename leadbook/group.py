"""A dealer group: every store run as ``leadbook process`` runs it, then rolled up.

``run_group`` finds the stores of a group folder (each subfolder holding
spreadsheets is one store's inbox, with its own leadbook.toml), runs each in a
worker process of its own, at most ``jobs`` at once, into ``out/<subfolder>/``,
and reads back each store's summary.json. A store that fails — a bad config,
an unreadable file, a worker that died — is reported and the others go on.
Each store runs in a fresh process forked from this small one (pandas and the
workbooks live only in the worker), so the peak memory of the process tree
does not grow with the number of stores.

``read_sources`` gives the same stores from outputs already written: a store's
output folder, or a folder of such folders (``leadbook rollup``).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import multiprocessing.connection
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .read.discover import skip_reason
from .rollup import STORE_KEYS, StoreRun
from .texts import Phrase, Text

SUMMARY = "summary.json"


def is_store(folder: Path) -> bool:
    """A store's inbox: a folder holding at least one spreadsheet leadbook reads."""
    try:
        return any(p.is_file() and skip_reason(p.name) is None for p in folder.iterdir())
    except OSError:
        return False


def find_stores(group: Path, out: Path | None = None) -> list[Path]:
    """The group's store inboxes, by folder name; the output folder is never one."""
    skip = out.resolve() if out is not None else None
    stores = []
    for sub in sorted(group.iterdir(), key=lambda p: p.name):
        if not sub.is_dir() or sub.name.startswith("."):
            continue
        if skip is not None and sub.resolve() == skip:
            continue
        if is_store(sub):
            stores.append(sub)
    return stores


def _store_worker(inbox: Path, out: Path, as_of: dt.date, lang: str,
                  conn: multiprocessing.connection.Connection, parent: int) -> None:
    """In the worker: one store's run; sends (exit status, error lines)."""
    from .config import ConfigError, load_config
    from .layout import LayoutError
    from .lifeline import die_with_parent
    from .run import run_store

    die_with_parent(parent)  # a killed group run leaves no store running on
    try:
        try:
            config = load_config(None, inbox, lang)
        except ConfigError as exc:
            conn.send((2, [exc.message(lang)]))
            return
        try:
            result = run_store(inbox, out, config, as_of, lang=lang, jobs=1)
        except LayoutError as exc:  # its outputs would replace its inputs: nothing written
            conn.send((2, [f"{inbox.name}: {exc.message(lang)}"]))
            return
        conn.send((result.exit_code, result.errors))
    except Exception as exc:  # a store must never bring the group down
        conn.send((1, [f"{inbox.name}: 处理失败 ({type(exc).__name__})"]))
    finally:
        conn.close()


def run_group(group: Path, out: Path, as_of: dt.date, *, jobs: int = 1, lang: str = "zh",
              stores: Sequence[Path] | None = None) -> list[StoreRun]:
    """Run every store of ``group`` into ``out/<subfolder>/``, ``jobs`` at a time."""
    stores = list(find_stores(group, out) if stores is None else stores)
    methods = multiprocessing.get_all_start_methods()
    ctx: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    if ctx.get_start_method() == "fork":
        # What a run imports (pandas the most of it, about 0.4 s) is imported once here
        # and shared by every forked worker, instead of once per store.
        from . import pipeline, run, write  # noqa: F401
    results: dict[str, tuple[int, list[str]]] = {}
    pending = list(stores)
    running: dict[Any, tuple[Any, Any, Path]] = {}
    while pending or running:
        while pending and len(running) < max(1, jobs):
            inbox = pending.pop(0)
            reader, writer = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_store_worker,
                               args=(inbox, out / inbox.name, as_of, lang, writer,
                                     os.getpid()),
                               name=f"leadbook-store-{inbox.name}")
            proc.start()
            writer.close()
            running[proc.sentinel] = (proc, reader, inbox)
        for sentinel in multiprocessing.connection.wait(list(running)):
            proc, reader, inbox = running.pop(sentinel)
            proc.join()
            try:
                results[inbox.name] = reader.recv() if reader.poll() else (
                    1, [f"{inbox.name}: 处理进程意外退出 (退出码 {proc.exitcode})"])
            except (EOFError, OSError):
                results[inbox.name] = (1, [f"{inbox.name}: 处理进程意外退出 "
                                           f"(退出码 {proc.exitcode})"])
            reader.close()
    runs = []
    for inbox in stores:
        status, errors = results[inbox.name]
        done = _from_folder(out / inbox.name) if status != 2 else None
        # A store that wrote its figures is read back as `rollup` reads it; one that
        # wrote none (a bad config, a dead worker) keeps the worker's words.
        runs.append(done if done is not None and done.summary is not None
                    else StoreRun(inbox.name, None, errors))
    return runs


def _load_summary(folder: Path) -> dict[str, Any] | None:
    """What the roll-up takes of a store's summary.json: its figures, its history's
    follow-through and trend, and its files' errors — not its issues, which can be
    thousands a store (a group's parent holds every store's entry until the end)."""
    try:
        data = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    kept = {k: data.get(k) for k in STORE_KEYS}
    history = data.get("history")
    if isinstance(history, dict):
        kept["history"] = {"followthrough": history.get("followthrough"),
                           "trend": history.get("trend") or []}
    kept["files"] = [f for f in data.get("files") or [] if f.get("status") == "error"]
    return kept


class SourceWhy(Phrase):
    """Why a roll-up source gives no store (``NAME = code, zh, en``)."""

    NO_HISTORY = "source_history_not_opened", "{source}: {why}", "{source}: {why}"
    EMPTY_HISTORY = (
        "source_history_empty", "{source}: 历史记录里还没有任何门店的运行记录",
        "{source}: the history holds no store's run yet")
    NOT_A_SOURCE = (
        "source_not_a_folder", "{source}: 不是文件夹, 也不是历史数据库的地址",
        "{source}: neither a folder nor a history database's address")
    NO_SUMMARY = (
        "source_no_summary",
        "{source}: 没有找到任何门店的 summary.json "
        "(请给出 leadbook process 的输出文件夹, 或装有这些文件夹的文件夹)",
        "{source}: no store's summary.json found (give the output folder of leadbook "
        "process, or a folder holding such folders)")


class SourceError(Exception):
    """A roll-up source that holds no store's outputs; ``why`` says so in words."""

    def __init__(self, why: Text) -> None:
        super().__init__(why)
        self.why = why

    def message(self, lang: str) -> str:
        return self.why.render(lang)

    def __str__(self) -> str:
        return self.message("zh")


def is_history(source: str) -> bool:
    """A database URL, or an SQLite file (by its first bytes)."""
    if "://" in source:
        return True
    try:
        with open(source, "rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def from_history(location: str, trend: bool = False) -> list[StoreRun]:
    """Each store's latest run kept in a history (a dealer group's shared database),
    with its last 12 runs as the trend when ``trend``."""
    from .history.compare import trend as trend_of
    from .history.store import HistoryError, open_history

    try:
        with open_history(location, create=False) as store:
            latest = store.latest_runs()
            past = {r.store: store.list_runs(r.store) for r in latest} if trend else {}
    except HistoryError as exc:
        raise SourceError(SourceWhy.NO_HISTORY(source=location, why=exc.why)) from exc
    runs = []
    for r in latest:
        summary = _figures_of(r)
        if trend:
            summary.setdefault("history", {})["trend"] = trend_of(past[r.store])
        runs.append(StoreRun(r.store, summary, []))
    if not runs:
        raise SourceError(SourceWhy.EMPTY_HISTORY(source=location))
    return runs


def _figures_of(r: Any) -> dict[str, Any]:
    """A run's figures as summary.json gives them; for a run kept before the history
    held them, what its row has (the rest unknown: null)."""
    if r.figures:
        data: dict[str, Any] = json.loads(r.figures)
        return data
    return {
        "store": r.store, "as_of": r.as_of.isoformat(),
        "period": {"start": r.period_start.isoformat() if r.period_start else None,
                   "end": r.period_end.isoformat() if r.period_end else None},
        "leads": {"total": r.leads},
        "followups": {"due": r.due, "overdue": r.overdue},
        "funnel": {"traffic": r.traffic, "kept": r.kept, "deals": r.deals},
        "cost": {"cost_per_lead": r.cost_per_lead, "lost_share": r.lost_share},
        "history": {"followthrough": None if r.followthrough_listed is None else {
            "listed": r.followthrough_listed, "done": r.followthrough_done,
            "rate": r.followthrough_rate}},
    }


def read_sources(sources: Sequence[str], trend: bool = False) -> list[StoreRun]:
    """Stores from their outputs: each source a store's output folder (its
    summary.json), a folder of such folders, or a history database (a URL or an
    SQLite file: each store's latest run), in the order given."""
    runs: list[StoreRun] = []
    for source in sources:
        if is_history(source):
            runs.extend(from_history(source, trend))
            continue
        path = Path(source)
        if (path / SUMMARY).is_file():
            runs.append(_from_folder(path))
            continue
        if not path.is_dir():
            raise SourceError(SourceWhy.NOT_A_SOURCE(source=source))
        subs = sorted((p for p in path.iterdir() if (p / SUMMARY).is_file()),
                      key=lambda p: p.name)
        if not subs:
            raise SourceError(SourceWhy.NO_SUMMARY(source=source))
        runs.extend(_from_folder(p) for p in subs)
    return runs


def _from_folder(folder: Path) -> StoreRun:
    summary = _load_summary(folder)
    if summary is None:
        return StoreRun(folder.name, None, [f"{folder.name}/{SUMMARY}: 无法读取"])
    from .run import file_error

    errors = [file_error(str(f.get("path")), str(f.get("message")))
              for f in summary.get("files") or [] if f.get("status") == "error"]
    return StoreRun(folder.name, summary, errors)
