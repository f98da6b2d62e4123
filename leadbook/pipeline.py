"""One store's analysis: read the inbox, build the records, apply the rules, compute
the figures; the :class:`Analysis` holds the Outcome every writer takes.

Data flows one way: read → records → rules → metrics. leadbook.run calls
``analyse``, then keeps the run in the history and writes the outputs
(leadbook.outputs); nothing here writes a file or prints.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import metrics
from .config import Config
from .days import column_dates
from .issue_codes import GRID_CODES
from .masking import mask_names
from .model import (
    Issue,
    Outcome,
    RowNote,
    SheetData,
    SheetKind,
    SheetNotes,
    SourceFile,
    Status,
)
from .ownership import assign_owners
from .read import read_inbox
from .records import Ahead, Records, read_records
from .rule_words import Rule
from .spend import period_spend
from .texts import Words, joined, render
from .worklist import apply_rules, build_tasks, followup_counts, lead_hints, schedule_table

log = logging.getLogger("leadbook")


@dataclass
class Analysis:
    """What a run found, before anything is written."""

    outcome: Outcome
    files: list[SourceFile]
    records: Records  # as read
    leads: pd.DataFrame  # the leads' table as the rules left it (Week.leads)
    notes: dict[str, list[SheetNotes]] = field(default_factory=dict)  # file name → notes

    @property
    def failed(self) -> list[SourceFile]:
        return [f for f in self.files if f.status == "error"]


def records_of(files: Sequence[SourceFile], config: Config, as_of: dt.date,
               ahead: Ahead | None = None) -> Records:
    """The files' leads, activity and spend rows; each sheet's raw rows are let go
    as its records are built (``ahead``: the daily reports' already, as they were read)."""
    return read_records(files, as_of, release=True, grade_aliases=config.grade_aliases,
                        ahead=ahead)


@dataclass
class Week:
    """The records (the daily reports' table among them), the leads' table as the
    rules left it (owners, grades, due dates), the week's work, the period counted and
    what was found so far."""

    files: list[SourceFile]
    records: Records
    leads: pd.DataFrame
    tasks: pd.DataFrame
    period: metrics.Period
    issues: list[Issue]


def work_of(files: Sequence[SourceFile], records: Records, config: Config, as_of: dt.date,
            start: dt.date | None = None, end: dt.date | None = None,
            lang: str = "zh") -> Week:
    """The rules: owners found, every lead graded and scheduled, the week's work listed
    (domain.md §2–§4)."""
    files = list(files)
    issues: list[Issue] = [i for f in files for i in f.issues]
    issues += records.issues
    owned, repeated = assign_owners(records.leads)
    issues += repeated
    lead_table = apply_rules(owned, config, as_of, lang)
    tasks, missed = build_tasks(lead_table, as_of, config.list_days, lang)
    issues += missed
    period = metrics.choose_period(start, end, records.activity, as_of)
    return Week(files, records, lead_table, tasks, period, issues)


def figures_of(week: Week, config: Config, as_of: dt.date, lang: str = "zh") -> Analysis:
    """The figures of the week (domain.md §5, §8): funnel, cost, the tables and
    summary.json, and what the annotated copies add to each row."""
    files, records, period = week.files, week.records, week.period
    lead_table, activity_table, tasks = week.leads, records.activity, week.tasks
    issues = list(week.issues)
    have_cards = any(s.kind is SheetKind.LEADS for f in files for s in f.sheets)
    spend, spend_parts, by_source = period_spend(
        config.spend, config.spend_by_source, records.spend, period.start, period.end)
    funnel = metrics.funnel(lead_table, activity_table, period, have_cards)
    cost = metrics.cost(lead_table, period, spend, funnel["kept"], have_cards)
    grades = [g.grade for g in config.scheme.grades]
    if (lead_table["grade"] == "N").any():
        grades = [*grades, "N"]
    channels = metrics.channel_table(lead_table, period, spend, by_source)
    consultants = metrics.consultant_table(lead_table, activity_table, period, grades,
                                           have_cards, tasks)
    lost = metrics.lost_table(lead_table, period)
    cross, cross_issues, cross_hints = metrics.crosscheck(lead_table, activity_table)
    issues += cross_issues
    duplicates = _duplicates_table(lead_table)
    schedule = schedule_table(lead_table, grades)

    counts = metrics.lead_counts(lead_table, period, grades)
    summary = _summary(config.store, files, counts, tasks, funnel, cost, issues, period, as_of,
                       lang)
    summary = mask_names(summary)  # names forwarded in summary.json, page and terminal
    outcome = Outcome(
        store=config.store,
        as_of=as_of,
        period_start=period.start,
        period_end=period.end,
        summary=summary,
        tasks=tasks,
        channels=channels,
        consultants=consultants,
        lost=lost,
        crosscheck=cross,
        duplicates=duplicates,
        issues=issues,
        lang=lang,
        schedule=schedule,
        spend_parts=spend_parts,
        list_days=config.list_days,
    )
    analysis = Analysis(outcome, list(files), records, lead_table)
    analysis.notes = _notes(files, records, lead_table, cross_hints, config.stale_factor, lang)
    for f in files:  # every row is in the records now (read_records let them go)
        for sheet in f.sheets:
            sheet.rows = []
    return analysis


def analyse(
    inbox: Path,
    config: Config,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
    lang: str = "zh",
    files: Sequence[SourceFile] | None = None,
    records: Records | None = None,
    jobs: int = 1,
    on_file: Callable[[str, int, int], None] | None = None,
) -> Analysis:
    """Read the inbox (or take ``files``), grade, schedule and count: :func:`work_of`
    then :func:`figures_of`.

    ``jobs`` > 1 reads several files of the inbox at once. ``records``, when
    given, are ``files``' records, built already (:func:`records_of`).
    """
    if files is None:
        extra = {k: list(v) for k, v in config.columns.items()}
        files = read_inbox(inbox, extra, jobs, on_file)
    files = list(files)
    if records is None:
        records = records_of(files, config, as_of)
    return figures_of(work_of(files, records, config, as_of, start, end, lang), config, as_of,
                      lang)


def _summary(
    store: str,
    files: Sequence[SourceFile],
    leads: dict[str, Any],
    tasks: Any,
    funnel: dict[str, Any],
    cost: dict[str, Any],
    issues: Sequence[Issue],
    period: metrics.Period,
    as_of: dt.date,
    lang: str,
) -> dict[str, Any]:
    return {
        "store": store,
        "as_of": as_of.isoformat(),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "files": [_file_entry(f, lang) for f in files],
        "leads": leads,
        "followups": followup_counts(tasks),
        "funnel": funnel,
        "cost": cost,
        "issues": [i.as_dict(lang) for i in issues],
    }


def _file_entry(f: SourceFile, lang: str) -> dict[str, Any]:
    return {
        "path": f.name,
        "status": f.status,
        "message": f.message(lang),
        "sheets": [_sheet_entry(s, lang) for s in f.sheets],
    }


def _sheet_entry(s: SheetData, lang: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": s.name, "kind": s.kind.value, "rows": s.row_count}
    if s.grid is not None:  # a month grid: the metrics no field counts, with their sums
        from .grid_activity import unmapped_metrics

        entry["layout"] = "month_grid"
        entry["unmapped_metrics"] = unmapped_metrics(s.grid)
    if s.reason:
        entry["reason"] = render(s.reason, lang)
    return entry


def _duplicates_table(leads: pd.DataFrame) -> pd.DataFrame:
    """报重 rows: each repeated row, with its owner's consultant, file and row."""
    from .values import mask_phone

    repeated = np.flatnonzero(leads["duplicate"].to_numpy())
    owners = leads["owner"].to_numpy()[repeated]
    rows = leads.iloc[repeated]
    phones = rows["phone"].tolist()
    table: pd.DataFrame = pd.DataFrame({
        "kind": rows["duplicate_kind"].tolist(),
        "phone": phones,
        "phone_masked": [mask_phone(p) for p in phones],
        "owner": [c or "" for c in leads["consultant"].to_numpy()[owners].tolist()],
        "consultant": [c or "" for c in rows["consultant"].tolist()],
        "name": [c or "" for c in rows["name"].tolist()],
        "file": rows["file"].tolist(),
        "sheet": rows["sheet"].tolist(),
        "row": rows["row"].tolist(),
        "owner_file": leads["file"].to_numpy()[owners].tolist(),
        "owner_row": leads["row"].to_numpy()[owners].tolist(),
    }, columns=["kind", "phone", "phone_masked", "owner", "consultant", "name", "file", "sheet",
                "row", "owner_file", "owner_row"])
    return table


FILL_BY_STATUS = {Status.WON.value: "won", Status.LOST.value: "lost"}


def lead_notes(leads: pd.DataFrame, stale_factor: float, lang: str = "zh") -> list[RowNote]:
    """What the annotated copy adds to each lead's row, its words in ``lang``: each of
    its fields a column, then a note a row."""
    hints = lead_hints(leads, stale_factor, lang)
    late = leads["days_late"].to_numpy(dtype=np.int64, na_value=0)
    scheduled = leads["days_late"].notna().to_numpy() & ~leads["duplicate"].to_numpy()
    # the status's colour, or overdue / due today where the lead's call is on the list
    fill = np.array([FILL_BY_STATUS.get(s) for s in leads["status"].tolist()], dtype=object)
    fill[scheduled & (late > 0)] = "overdue"
    fill[scheduled & (late == 0)] = "due"
    grades, changes = leads["grade"].tolist(), leads["grade_change"].tolist()
    moved = ["→" in change for change in changes]
    first = {grade for grade, change, on in zip(grades, changes, moved, strict=True)
             if change and not on}
    newly = {grade: Rule.NEWLY_GRADED(grade=grade).render(lang) for grade in first}
    # 级别变化: "B→A" as it is, a first grade ("新定 A") in words
    change_words = [change if on or not change else newly[grade]
                    for grade, change, on in zip(grades, changes, moved, strict=True)]
    due = [None if repeat else day for day, repeat in zip(
        column_dates(leads["next_due"]), leads["duplicate"].tolist(), strict=True)]
    overdue = [None if days < 0 else days
               for days in np.where(scheduled & (late >= 0), late, -1).tolist()]
    hint_words = [joined(hint, lang) if hint else "" for hint in hints]
    comments = [render(reason, lang) if on else None
                for reason, on in zip(leads["reason"].tolist(), moved, strict=True)]
    note = functools.partial(tuple.__new__, RowNote)  # RowNote._make without its checks
    return list(map(note, zip(grades, change_words, due, overdue, hint_words, fill.tolist(),
                              comments, strict=True)))


def _notes(files: Sequence[SourceFile], records: Records, leads: pd.DataFrame,
           cross_hints: Sequence[tuple[int, Words]], stale_factor: float, lang: str
           ) -> dict[str, list[SheetNotes]]:
    """Per file, per sheet: what the annotated copy adds to each row, in ``lang``; a
    daily-report row's own hints then the crosscheck's (``cross_hints``: position in
    the daily reports' table, words)."""
    by_sheet: dict[tuple[str, str], dict[int, RowNote]] = {}
    for file, sheet, row, note in zip(leads["file"].tolist(), leads["sheet"].tolist(),
                                      leads["row"].tolist(), lead_notes(leads, stale_factor, lang),
                                      strict=True):
        by_sheet.setdefault((file, sheet), {})[row] = note
    crossed: dict[int, list[Words]] = {}
    for position, words in cross_hints:
        crossed.setdefault(position, []).append(words)
    activity = records.activity
    own = activity["hints"].tolist()
    where = list(zip(*(activity[c].tolist() for c in ("file", "sheet", "row")), strict=True))
    for position in sorted({i for i, hints in enumerate(own) if hints} | set(crossed)):
        note = RowNote(hint=joined([*own[position], *crossed.get(position, ())], lang))
        file, sheet, row = where[position]
        by_sheet.setdefault((file, sheet), {})[row] = note
    grid_hints: dict[tuple[str, str, int], list[str]] = {}
    for issue in records.issues:  # a month grid's findings go on its metric rows
        if issue.code in GRID_CODES and issue.sheet is not None and issue.row:
            grid_hints.setdefault((issue.file, issue.sheet, issue.row), []).append(
                issue.message(lang))
    for (file, sheet, row), hints in grid_hints.items():
        by_sheet.setdefault((file, sheet), {})[row] = RowNote(hint="; ".join(hints))
    out: dict[str, list[SheetNotes]] = {}
    for f in files:
        if f.status != "ok":
            continue
        sheets = [
            SheetNotes(s.name, s.header_row, s.width, by_sheet.get((f.name, s.name), {}), lang)
            for s in f.sheets
            if s.kind in (SheetKind.LEADS, SheetKind.ACTIVITY)
        ]
        if sheets:
            out[f.name] = sheets
    return out
