"""One store's analysis: read the inbox, build the records, apply the rules, compute
the figures; the :class:`Analysis` holds the Outcome every writer takes.

Data flows one way: read → records → rules → metrics. leadbook.run calls
``analyse``, then keeps the run in the history and writes the outputs
(leadbook.outputs); nothing here writes a file or prints.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import metrics
from .config import Config
from .frames import activity_frame, lead_frame
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
from .records import Lead, Records, read_records
from .rule_words import Rule
from .spend import period_spend
from .texts import joined, render
from .worklist import apply_rules, build_tasks, followup_counts, schedule_table

log = logging.getLogger("leadbook")


@dataclass
class Analysis:
    """What a run found, before anything is written."""

    outcome: Outcome
    files: list[SourceFile]
    records: Records
    notes: dict[str, list[SheetNotes]] = field(default_factory=dict)  # file name → notes

    @property
    def failed(self) -> list[SourceFile]:
        return [f for f in self.files if f.status == "error"]


def records_of(files: Sequence[SourceFile], config: Config, as_of: dt.date) -> Records:
    """The files' leads, activity and spend rows; each sheet's raw rows are let go
    as its records are built."""
    return read_records(files, as_of, release=True, grade_aliases=config.grade_aliases)


@dataclass
class Week:
    """The records as the rules left them: the leads' and daily reports' tables, the
    week's work, the period counted and what was found so far."""

    files: list[SourceFile]
    records: Records
    leads: pd.DataFrame
    activity: pd.DataFrame
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
    leads = records.leads
    issues += assign_owners(leads)
    apply_rules(leads, config, as_of, lang)
    lead_table, activity_table = lead_frame(leads), activity_frame(records.activity)
    tasks, missed = build_tasks(lead_table, as_of, config.list_days, lang)
    issues += missed
    period = metrics.choose_period(start, end, records.activity, as_of)
    return Week(files, records, lead_table, activity_table, tasks, period, issues)


def figures_of(week: Week, config: Config, as_of: dt.date, lang: str = "zh") -> Analysis:
    """The figures of the week (domain.md §5, §8): funnel, cost, the tables and
    summary.json, and what the annotated copies add to each row."""
    files, records, period = week.files, week.records, week.period
    lead_table, activity_table, tasks = week.leads, week.activity, week.tasks
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
    for position, words in cross_hints:  # the daily-report row's 提示 in its copy
        records.activity[position].hints.append(words)
    duplicates = _duplicates_table(records.leads)
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
    analysis = Analysis(outcome, list(files), records)
    analysis.notes = _notes(files, records, lang)
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


def _duplicates_table(leads: Sequence[Lead]) -> Any:
    import pandas as pd

    from .values import mask_phone

    rows = [
        {
            "kind": lead.duplicate_kind,
            "phone": lead.phone,
            "phone_masked": mask_phone(lead.phone),
            "owner": lead.owner.consultant or "",
            "consultant": lead.consultant or "",
            "name": lead.name or "",
            "file": lead.file,
            "sheet": lead.sheet,
            "row": lead.row,
            "owner_file": lead.owner.file,
            "owner_row": lead.owner.row,
        }
        for lead in leads
        if lead.owner is not None
    ]
    return pd.DataFrame(
        rows,
        columns=["kind", "phone", "phone_masked", "owner", "consultant", "name", "file", "sheet",
                 "row", "owner_file", "owner_row"],
    )


FILL_BY_STATUS = {Status.WON: "won", Status.LOST: "lost"}


def lead_note(lead: Lead, lang: str = "zh") -> RowNote:
    """What the annotated copy adds to a lead's row, its words in ``lang``."""
    fill = FILL_BY_STATUS.get(lead.status)
    if lead.days_late is not None and not lead.is_duplicate:
        if lead.days_late > 0:
            fill = "overdue"
        elif lead.days_late == 0:
            fill = "due"
    overdue = lead.days_late if lead.days_late is not None and lead.days_late > 0 else None
    if lead.days_late == 0:
        overdue = 0
    return RowNote(
        system_grade=lead.grade,
        grade_change=_grade_change(lead, lang),
        next_due=None if lead.is_duplicate else lead.next_due,
        overdue_days=None if lead.is_duplicate else overdue,
        hint=joined(lead.hints, lang),
        fill=fill,
        comment=render(lead.reason, lang) if "→" in lead.grade_change else None,
    )


def _grade_change(lead: Lead, lang: str) -> str:
    """级别变化 in ``lang``: "B→A" as it is, a first grade ("新定 A") in words."""
    change = lead.grade_change
    if not change or "→" in change:
        return change
    return Rule.NEWLY_GRADED(grade=lead.grade).render(lang)


def _notes(files: Sequence[SourceFile], records: Records, lang: str
           ) -> dict[str, list[SheetNotes]]:
    """Per file, per sheet: what the annotated copy adds to each row, in ``lang``."""
    by_sheet: dict[tuple[str, str], dict[int, RowNote]] = {}
    for lead in records.leads:
        by_sheet.setdefault((lead.file, lead.sheet), {})[lead.row] = lead_note(lead, lang)
    for act in records.activity:
        if act.hints:
            note = RowNote(hint=joined(act.hints, lang))
            by_sheet.setdefault((act.file, act.sheet), {})[act.row] = note
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
