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
from typing import TYPE_CHECKING, Any, NamedTuple

from ..model import Issue, Outcome, Severity
from ..values import mask_phone
from . import compare
from .model import LeadState, RunFigures, Snapshot, TaskState, day
from .summary import MESSAGES

if TYPE_CHECKING:
    from ..records import Lead
    from .store import HistoryStore

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


@dataclass
class HistoryJob:
    """A run's history step, to be done where its outputs are written: in the run's
    process, or in the worker that writes report.xlsx, which then has the step's
    results for the 变化 and 趋势 sheets and the page."""

    location: str | None  # None: --no-history
    facts: list[LeadFact]
    grades: list[str]
    list_days: int = DEFAULT_LIST_DAYS

    def run(self, outcome: Outcome) -> HistoryResult:
        """:func:`remember` on ``outcome``, and what it put there, to put on the run's
        own outcome where the step ran in a worker (:meth:`HistoryResult.apply`)."""
        before = len(outcome.issues)
        warnings = remember(outcome, self.facts, self.location, self.grades, self.list_days)
        return HistoryResult(outcome.history, outcome.summary.get("history"),
                             outcome.issues[before:], warnings)


@dataclass
class HistoryResult:
    report: HistoryReport | None
    summary: dict[str, Any] | None  # summary.json ``history``
    issues: list[Issue]
    warnings: list[str]  # for the terminal

    def apply(self, outcome: Outcome) -> None:
        outcome.history = self.report
        _set(outcome, self.summary, self.issues)


def location_of(setting: str, inbox: Path) -> str:
    """The config's ``history``: a URL as it is, a relative path from INBOX."""
    if "://" in setting or Path(setting).is_absolute():  # leadbook.history.store.is_url
        return setting
    return str(inbox / setting)


def masked(phone: str) -> str:
    """mask_phone, with the common case (an 11-digit mobile) done at once: at
    100,000 leads the general masking costs 0.9 s, this 0.03 s."""
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]}****{phone[7:]}"
    return mask_phone(phone)


class LeadFact(NamedTuple):
    """What the history keeps of one lead, taken from the run's leads: the phone in
    full (hashed where the history is written), dates as day numbers. Plain
    tuples, so that the run can hand them to the worker that keeps the history."""

    phone: str
    consultant: str
    grade: str
    status: str
    first_contact: int | None
    latest_contact: int | None
    next_contact: int | None
    next_due: int | None
    file: str
    sheet: str
    row: int


def lead_facts(leads: Sequence[Lead]) -> list[LeadFact]:
    """The leads the history follows: first registrations with a phone, each phone once."""
    out: list[LeadFact] = []
    seen: set[str] = set()
    days: dict[dt.date | None, int | None] = {None: None}

    def n(d: dt.date | None) -> int | None:
        found = days.get(d, -1)
        if found == -1:
            found = days[d] = day(d)
        return found

    for lead in leads:
        phone = lead.phone
        if lead.owner is not None or not phone or phone in seen:
            continue
        seen.add(phone)
        out.append(LeadFact(
            phone, lead.consultant or NO_CONSULTANT, lead.grade, lead.status.value,
            n(lead.first_contact), n(lead.last_contact or lead.first_contact),
            n(lead.next_contact), n(lead.next_due), lead.file, lead.sheet, lead.row))
    return out


def lead_states(facts: Sequence[LeadFact], store: HistoryStore,
                keys: dict[str, str] | None = None) -> dict[str, LeadState]:
    """The leads as the history keeps them: keyed by the hash of the phone, the number
    masked. ``keys`` collects phone → identity, for the tasks."""
    out: dict[str, LeadState] = {}
    keys = {} if keys is None else keys
    for f in facts:
        key = store.lead_key(f.phone)
        if key in out:
            continue
        keys[f.phone] = key
        out[key] = LeadState(key, masked(f.phone), *f[1:])
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


def remember(outcome: Outcome, facts: Sequence[LeadFact], location: str | None,
             grades: Sequence[str], list_days: int = DEFAULT_LIST_DAYS) -> list[str]:
    """Snapshot the run (its leads as :func:`lead_facts`) into the history at
    ``location`` (None: --no-history) and put the comparison on ``outcome``;
    ``grades`` are the scheme's own grades, top first. Returns warnings for the
    terminal."""
    if location is None:
        _set(outcome, None, [])
        return []
    from .store import HistoryError, open_history

    words = MESSAGES.get(outcome.lang, MESSAGES["zh"])
    try:
        with open_history(location) as store:
            report, issues = _compare_and_save(outcome, facts, store, grades, list_days,
                                               words)
    except HistoryError as exc:
        log.debug("history at %s not used", location, exc_info=True)
        message = words["unavailable"].format(reason=exc)
        _set(outcome, None, [Issue("(history)", None, None, None, None, "history_unavailable",
                                   message, Severity.WARNING)])
        return [message]
    except Exception as exc:  # a database error while reading or writing
        log.debug("history at %s failed", location, exc_info=True)
        message = words["unavailable"].format(reason=f"{type(exc).__name__}")
        _set(outcome, None, [Issue("(history)", None, None, None, None, "history_unavailable",
                                   message, Severity.WARNING)])
        return [message]
    outcome.history = report
    _set(outcome, summary_history(report), issues)
    return []


def _compare_and_save(outcome: Outcome, facts: Sequence[LeadFact], store: HistoryStore,
                      grades: Sequence[str], list_days: int, words: dict[str, str]
                      ) -> tuple[HistoryReport, list[Issue]]:
    keys: dict[str, str] = {}
    now = lead_states(facts, store, keys)
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
                issues = [_vanished_issue(s, previous.as_of, words)
                          for s in report.changes.vanished]
    run = run_figures(outcome, list_days, report.followthrough)
    store.save(Snapshot(run, now, task_states(outcome.tasks, store, list_days, keys)))
    report.trend = compare.trend([*earlier[-(compare.TREND_RUNS - 1):], run])
    return report, issues


def _vanished_issue(s: LeadState, as_of: dt.date, words: dict[str, str]) -> Issue:
    status = words.get(f"status.{s.status}", s.status)
    message = words["vanished"].format(consultant=s.consultant, phone=s.phone_masked,
                                       grade=s.grade or "-", status=status,
                                       as_of=as_of.isoformat(), file=s.file, sheet=s.sheet,
                                       row=s.row)
    return Issue(s.file, s.sheet, s.row, None, None, "vanished_lead", message,
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
    summary["issues"] = [*listed, *(i.as_dict() for i in issues)]


__all__ = ["HistoryJob", "HistoryReport", "HistoryResult", "LeadFact", "lead_facts",
           "location_of", "remember"]
