"""Keep this run in the store's history and compare it with the previous run.

:func:`remember` is the one call a run makes: it snapshots the analysis,
reads the store's latest earlier run, computes §10's figures, writes the
snapshot (replacing a run of the same store and as-of date) and puts the
results on the outcome: ``summary["history"]``, warnings for vanished leads,
and :class:`HistoryReport` for the writers. A history that cannot be opened
or written becomes a warning and the run goes on without it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..issue_codes import STATUS_WORDS, IssueCode
from ..model import Issue, Outcome, Severity
from ..records import Lead
from ..texts import Words, said
from ..values import mask_phone
from . import compare
from .model import LeadState, RunFigures, Snapshot, TaskState, day
from .store import HistoryError, HistoryStore, is_url, open_history, reason_of

log = logging.getLogger("leadbook")

DEFAULT_LIST_DAYS = 7  # domain.md §3 [followups] list_days, when the config has none
NO_CONSULTANT = "(未填顾问)"  # leadbook.worklist.NO_CONSULTANT

@dataclass
class HistoryReport:
    """What the writers show of the history (report.xlsx 变化 / 趋势, the page)."""

    previous: RunFigures | None = None
    followthrough: compare.Followthrough | None = None
    changes: compare.LeadChanges | None = None
    trend: list[dict[str, Any]] = field(default_factory=list)
    runs: int = 0


def location_of(setting: str, inbox: Path) -> str:
    """The config's ``history``: a URL as it is, a relative path from INBOX."""
    if is_url(setting) or Path(setting).is_absolute():
        return setting
    return str(inbox / setting)


def masked(phone: str) -> str:
    """mask_phone, with the common case (an 11-digit mobile) done at once: at
    100,000 leads the general masking costs 0.9 s, this 0.03 s."""
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]}****{phone[7:]}"
    return mask_phone(phone)


def lead_states(leads: list[Lead], store: HistoryStore,
                keys: dict[str, str] | None = None) -> dict[str, LeadState]:
    """The leads the history follows: first registrations with a phone. ``keys``
    collects phone → identity, for the tasks."""
    out: dict[str, LeadState] = {}
    keys = {} if keys is None else keys
    days: dict[dt.date | None, int | None] = {None: None}

    def n(d: dt.date | None) -> int | None:
        found = days.get(d, -1)
        if found == -1:
            found = days[d] = day(d)
        return found

    for lead in leads:
        phone = lead.phone
        if lead.is_duplicate or not phone:
            continue
        key = store.lead_key(phone)
        if key in out:
            continue
        keys[phone] = key
        out[key] = LeadState(
            key, masked(phone), lead.consultant or NO_CONSULTANT, lead.grade,
            lead.status.value, n(lead.first_contact), n(lead.latest_contact),
            n(lead.next_contact), n(lead.next_due), lead.file, lead.sheet, lead.row)
    return out


def task_states(frame: Any, store: HistoryStore, list_days: int,
                keys: dict[str, str] | None = None) -> list[TaskState]:
    """The week's work as listed (tasks due by as-of + list_days), for leads with a phone."""
    if frame is None or not len(frame):
        return []
    keys = {} if keys is None else keys
    out: list[TaskState] = []
    columns = [frame[c].tolist() for c in ("phone", "consultant", "kind", "task", "due",
                                           "days_late")]
    for phone, who, kind, task, due, late in zip(*columns, strict=True):
        if not phone or late is None or late < -list_days:
            continue
        when = day(due)
        if when is None:  # every listed task has a date; none is made up
            continue
        key = keys.get(phone)
        if key is None:
            key = keys[phone] = store.lead_key(phone)
        out.append(TaskState(key, str(who), str(kind), str(task), when, int(late)))
    return out


def run_figures(outcome: Outcome, list_days: int,
                ft: compare.Followthrough | None) -> RunFigures:
    s = outcome.summary
    fu, fn, cost = s["followups"], s["funnel"], s["cost"]
    figures = {k: s.get(k) for k in ("store", "as_of", "period", "leads", "followups",
                                     "funnel", "cost")}
    figures["history"] = {"followthrough": None if ft is None else ft.as_dict()}
    return RunFigures(
        store=outcome.store, as_of=outcome.as_of, period_start=outcome.period_start,
        period_end=outcome.period_end, list_days=list_days, leads=s["leads"]["total"],
        due=fu["due"], overdue=fu["overdue"], traffic=fn.get("traffic"), kept=fn.get("kept"),
        deals=fn.get("deals"), cost_per_lead=cost.get("cost_per_lead"),
        lost_share=cost.get("lost_share"),
        followthrough_listed=None if ft is None else ft.listed,
        followthrough_done=None if ft is None else ft.done,
        followthrough_rate=None if ft is None else ft.rate,
        figures=json.dumps(figures, ensure_ascii=False, sort_keys=True))


def remember(outcome: Outcome, leads: list[Lead], location: str | None,
             grades: Sequence[str], list_days: int = DEFAULT_LIST_DAYS) -> list[str]:
    """Snapshot the run into the history at ``location`` (None: --no-history) and
    put the comparison on ``outcome``; ``grades`` are the scheme's own grades, top
    first. Returns warnings for the terminal."""
    if location is None:
        _set(outcome, None, [])
        return []
    try:
        with open_history(location) as store:
            report, issues = _compare_and_save(outcome, leads, store, grades, list_days)
    except HistoryError as exc:
        log.debug("history at %s not used", location, exc_info=True)
        return _unavailable(outcome, exc.why)
    except Exception as exc:  # a database error while reading or writing
        log.debug("history at %s failed", location, exc_info=True)
        return _unavailable(outcome, reason_of(exc))
    outcome.history = report
    _set(outcome, summary_history(report), issues)
    return []


def _unavailable(outcome: Outcome, why: Words) -> list[str]:
    """The run goes on without its history: one warning, in the run's language."""
    issue = Issue("(history)", None, None, None, None, IssueCode.HISTORY_UNAVAILABLE,
                  said(reason=why), Severity.WARNING)
    _set(outcome, None, [issue])
    return [issue.message(outcome.lang)]


def _compare_and_save(outcome: Outcome, leads: list[Lead], store: HistoryStore,
                      grades: Sequence[str], list_days: int
                      ) -> tuple[HistoryReport, list[Issue]]:
    keys: dict[str, str] = {}
    now = lead_states(leads, store, keys)
    earlier = store.list_runs(outcome.store, before=outcome.as_of)
    previous = earlier[-1] if earlier else None
    report = HistoryReport(previous=previous, runs=len(earlier) + 1)
    issues: list[Issue] = []
    if previous is not None:
        with store.reading(outcome.store, previous.as_of) as found:
            if found is not None:
                run_then, listed, rows = found
                # Of the earlier leads only those of the calls it listed are kept;
                # the rest are compared as they are read.
                wanted = {t.key for t in compare.listed_calls(
                    Snapshot(run_then, {}, listed), outcome.as_of)}
                kept: dict[str, LeadState] = {}

                def keeping(rows: Iterator[LeadState] = rows) -> Iterator[LeadState]:
                    for s in rows:
                        if s.key in wanted:
                            kept[s.key] = s
                        yield s

                report.changes = compare.lead_changes(keeping(), now, grades)
                report.followthrough = compare.followthrough(
                    Snapshot(run_then, kept, listed), now, outcome.as_of)
                issues = [_vanished_issue(s, previous.as_of) for s in report.changes.vanished]
    run = run_figures(outcome, list_days, report.followthrough)
    store.save(Snapshot(run, now, task_states(outcome.tasks, store, list_days, keys)))
    report.trend = compare.trend([*earlier[-(compare.TREND_RUNS - 1):], run])
    return report, issues


def _vanished_issue(s: LeadState, as_of: dt.date) -> Issue:
    return Issue(s.file, s.sheet, s.row, None, None, IssueCode.VANISHED_LEAD,
                 said(consultant=s.consultant, phone=s.phone_masked, grade=s.grade or "-",
                      status=STATUS_WORDS.get(s.status, s.status), as_of=as_of.isoformat(),
                      file=s.file, sheet=s.sheet, row=s.row),
                 Severity.WARNING)


def summary_history(report: HistoryReport) -> dict[str, Any]:
    """summary.json ``history`` (domain.md §8): null comparisons on a first run."""
    ft, ch = report.followthrough, report.changes
    return {
        "previous_as_of": report.previous.as_of.isoformat() if report.previous else None,
        "runs": report.runs,
        "followthrough": ft.as_dict() if ft is not None else None,
        "leads": dict(ch.counts) if ch is not None else None,
        "transitions": dict(ch.transitions) if ch is not None else None,
        "trend": report.trend,
    }


def _set(outcome: Outcome, history: dict[str, Any] | None, issues: list[Issue]) -> None:
    """Put ``history`` into the summary before ``issues`` (§8's order) and add the issues."""
    outcome.issues.extend(issues)
    summary = outcome.summary
    listed = summary.pop("issues", [])
    summary["history"] = history
    summary["issues"] = [*listed, *(i.as_dict(outcome.lang) for i in issues)]


__all__ = ["HistoryReport", "location_of", "remember"]
