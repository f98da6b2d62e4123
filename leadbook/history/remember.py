"""Keep this run in the store's history and compare it with the previous run.

:func:`remember` is the one call a run makes: it snapshots the analysis,
reads the store's latest earlier run, computes §10's figures, writes the
snapshot (replacing a run of the same store and as-of date) and puts the
results on the outcome: ``summary["history"]``, warnings for vanished leads,
and :class:`HistoryReport` for the writers. A history that cannot be opened
or written becomes a warning and the run goes on without it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..issue_codes import STATUS_WORDS, IssueCode
from ..model import Issue, Outcome, Severity
from ..texts import Words, said
from ..values import mask_phone
from . import compare
from .model import LeadState, RunFigures, Snapshot, TaskState, day

if TYPE_CHECKING:
    import pandas as pd

    from .store import HistoryStore

log = logging.getLogger("leadbook")

DEFAULT_LIST_DAYS = 7  # domain.md §3 [followups] list_days, when the config has none
NO_CONSULTANT = "(未填顾问)"  # leadbook.worklist.NO_CONSULTANT
PAGE_ROWS = 100  # vanished / missed leads listed on the page (all in report.xlsx 变化)

@dataclass
class HistoryReport:
    """What the writers show of the history (report.xlsx 变化 / 趋势, the page)."""

    previous: RunFigures | None = None
    followthrough: compare.Followthrough | None = None
    changes: compare.LeadChanges | None = None
    trend: list[dict[str, Any]] = field(default_factory=list)
    runs: int = 0


@dataclass
class HistoryResult:
    report: HistoryReport | None
    summary: dict[str, Any] | None  # summary.json ``history``
    issues: list[Issue]
    warnings: list[str]  # for the terminal

    def apply(self, outcome: Outcome) -> None:
        outcome.history = self.report
        _set(outcome, self.summary, self.issues)

    def for_page(self) -> HistoryResult:
        """Without the 变化 sheet's whole lists (7 MB at 100,000 leads), which only
        report.xlsx shows: the page shows the first PAGE_ROWS of each and counts
        the rest. What the run's process needs when report.xlsx's worker kept the
        history."""
        report = self.report
        if report is None:
            return self
        ft, ch = report.followthrough, report.changes
        return HistoryResult(
            replace(report,
                    followthrough=None if ft is None else replace(
                        ft, missed_list=ft.missed_list[:PAGE_ROWS]),
                    changes=None if ch is None else replace(
                        ch, vanished=ch.vanished[:PAGE_ROWS])),
            self.summary, self.issues, self.warnings)


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


# What the history keeps of one lead, taken from the run's leads: (phone in full —
# hashed where the history is written —, consultant, grade, status, first contact,
# latest contact, next contact, next due — dates as day numbers —, file, sheet, row),
# LeadState's fields after its key. Plain tuples: the run hands 100,000 of them to
# the worker that keeps the history, and a plain tuple pickles three times faster
# than a named one.
LeadFact = tuple[str, str, str, str, int | None, int | None, int | None, int | None, str, str,
                 int]


def lead_facts(leads: pd.DataFrame) -> list[LeadFact]:
    """The leads the history follows (the leads' table as the rules left it): first
    registrations with a phone, each phone once."""
    from ..days import column_day_list  # pandas: imported once the inbox is being read

    first = leads[~leads["duplicate"].to_numpy() & leads["phone"].notna().to_numpy()
                  & (leads["phone"] != "").to_numpy()]
    first = first[~first["phone"].duplicated().to_numpy()]
    latest = first["last_contact"].where(first["last_contact"].notna(), first["first_contact"])
    days = (column_day_list(c) for c in (first["first_contact"], latest, first["next_contact"],
                                         first["next_due"]))
    return list(zip(
        first["phone"].tolist(), [c or NO_CONSULTANT for c in first["consultant"].tolist()],
        first["grade"].tolist(), first["status"].tolist(), *days,
        first["file"].tolist(), first["sheet"].tolist(), first["row"].tolist(), strict=True))


def identities(phones: Iterable[str], store: HistoryStore) -> dict[str, tuple[str, str]]:
    """phone → (identity, masked number), each phone once."""
    key = store.lead_key
    return {phone: (key(phone), masked(phone)) for phone in phones}


def lead_states(facts: Sequence[LeadFact], store: HistoryStore,
                keys: dict[str, str] | None = None,
                known: Mapping[str, tuple[str, str]] | None = None) -> dict[str, LeadState]:
    """The leads as the history keeps them: keyed by the hash of the phone, the number
    masked. ``keys`` collects phone → identity, for the tasks; ``known`` holds
    phones hashed and masked already (:func:`identities`)."""
    out: dict[str, LeadState] = {}
    keys = {} if keys is None else keys
    known = {} if known is None else known
    for f in facts:
        phone = f[0]
        found = known.get(phone)
        key, shown = found if found is not None else (store.lead_key(phone), masked(phone))
        if key in out:
            continue
        keys[phone] = key
        out[key] = LeadState(key, shown, *f[1:])
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


class Keeping:
    """One run's history step (domain.md §10), in three parts that may run apart:

    1. :meth:`open` the history and read the store's previous run — a large run
       does it in report.xlsx's worker while its own process reads the inbox;
    2. :meth:`compare` this run's leads and listed calls with it, once the leads
       are graded and the week's work is listed (before the figures);
    3. :meth:`save` the snapshot once the figures are known, and put the results
       on the outcome (summary.json ``history``, the vanished leads' warnings,
       :class:`HistoryReport`).

    A history that cannot be opened, read or written is one warning at the end,
    and the run goes on without it. Only plain values cross between processes:
    the run hands over :func:`lead_facts` and the due list.
    """

    def __init__(self, location: str, store_name: str, as_of: dt.date,
                 grades: Sequence[str], list_days: int = DEFAULT_LIST_DAYS,
                 lang: str = "zh") -> None:
        self.location, self.store_name, self.as_of = location, store_name, as_of
        self.grades, self.list_days = list(grades), list_days
        self.lang = lang
        self.store: HistoryStore | None = None
        self.earlier: list[RunFigures] = []
        self.found: tuple[RunFigures, list[TaskState], list[LeadState]] | None = None
        self.failed: Words | None = None  # why, once something failed
        self.report: HistoryReport | None = None
        self.issues: list[Issue] = []
        self.now: dict[str, LeadState] = {}
        self.listed: list[TaskState] = []
        self.known: dict[str, tuple[str, str]] = {}  # phones hashed ahead

    def open(self, create: bool = True) -> None:
        """Open the history and read the previous run. Without ``create`` (reading
        ahead) a history not made yet, or one that cannot be opened, is left for
        the next part, which says what is wrong."""
        if self.store is not None or self.failed is not None:
            return
        try:
            from .store import open_history

            store = open_history(self.location, create=create)
        except Exception as exc:
            if create:
                self._fail(exc)
            else:
                log.debug("history at %s not read ahead", self.location, exc_info=True)
            return
        self.store = store
        try:
            self.earlier = store.list_runs(self.store_name, before=self.as_of)
            if self.earlier:
                with store.reading(self.store_name, self.earlier[-1].as_of) as found:
                    if found is not None:
                        run_then, listed, rows = found
                        self.found = (run_then, listed, list(rows))
        except Exception as exc:
            self._fail(exc)

    def hash_ahead(self, phones: Iterable[str]) -> None:
        """Hash and mask the leads' phones now, before :meth:`compare` needs them: a
        large run's report worker does it while the run applies its rules (0.35 s
        at 100,000 leads). Only once the history is open; else compare does it."""
        if self.store is None or self.failed is not None:
            return
        try:
            self.known = identities(phones, self.store)
        except Exception:  # compare hashes what is missing, and says what is wrong
            log.debug("phones not hashed ahead", exc_info=True)
            self.known = {}

    def compare(self, facts: Sequence[LeadFact], tasks: Any) -> None:
        """Compare the leads (:func:`lead_facts`) and the due list with the previous run."""
        self.open()
        if self.failed is not None or self.store is None:
            return
        try:
            keys: dict[str, str] = {}
            now = lead_states(facts, self.store, keys, self.known)
            self.known = {}
            previous = self.earlier[-1] if self.earlier else None
            report = HistoryReport(previous=previous, runs=len(self.earlier) + 1)
            if previous is not None and self.found is not None:
                run_then, listed, rows = self.found
                report.changes = compare.lead_changes(iter(rows), now, self.grades)
                # Of the earlier leads only those of the calls it listed are needed.
                wanted = {t.key for t in compare.listed_calls(
                    Snapshot(run_then, {}, listed), self.as_of)}
                kept = {s.key: s for s in rows if s.key in wanted}
                report.followthrough = compare.followthrough(
                    Snapshot(run_then, kept, listed), now, self.as_of)
                self.issues = [_vanished_issue(s, previous.as_of)
                               for s in report.changes.vanished]
            self.found = None  # let the earlier leads go
            self.listed = task_states(tasks, self.store, self.list_days, keys)
            self.report, self.now = report, now
        except Exception as exc:
            self._fail(exc)

    def save(self, outcome: Outcome) -> HistoryResult:
        """Keep the snapshot and put the results on ``outcome`` (as :meth:`HistoryResult.apply`)."""
        try:
            if self.failed is None and self.report is not None and self.store is not None:
                try:
                    run = run_figures(outcome, self.list_days, self.report.followthrough)
                    self.store.save(Snapshot(run, self.now, self.listed))
                    self.report.trend = compare.trend(
                        [*self.earlier[-(compare.TREND_RUNS - 1):], run])
                except Exception as exc:
                    self._fail(exc)
        finally:
            self.close()
        if self.failed is None and self.report is None:  # compare() was not called
            self._fail(RuntimeError("the history was not compared"))
        if self.failed is not None:
            issue = Issue("(history)", None, None, None, None, IssueCode.HISTORY_UNAVAILABLE,
                          said(reason=self.failed), Severity.WARNING)
            result = HistoryResult(None, None, [issue], [issue.message(self.lang)])
        else:
            assert self.report is not None
            result = HistoryResult(self.report, summary_history(self.report), self.issues, [])
        result.apply(outcome)
        return result

    def close(self) -> None:
        if self.store is not None:
            with contextlib.suppress(Exception):
                self.store.close()
        self.store, self.now, self.listed = None, {}, []

    def _fail(self, exc: BaseException) -> None:
        from .store import HistoryError, reason_of

        log.debug("history at %s not used", self.location, exc_info=True)
        self.failed = exc.why if isinstance(exc, HistoryError) else reason_of(exc)


def remember(outcome: Outcome, facts: Sequence[LeadFact], location: str | None,
             grades: Sequence[str], list_days: int = DEFAULT_LIST_DAYS) -> list[str]:
    """The whole step in this process: snapshot the run (its leads as
    :func:`lead_facts`) into the history at ``location`` (None: --no-history) and
    put the comparison on ``outcome``; ``grades`` are the scheme's own grades,
    top first. Returns warnings for the terminal."""
    if location is None:
        _set(outcome, None, [])
        return []
    keeping = Keeping(location, outcome.store, outcome.as_of, grades, list_days, outcome.lang)
    keeping.compare(facts, outcome.tasks)
    return keeping.save(outcome).warnings


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


__all__ = ["HistoryReport", "HistoryResult", "Keeping", "LeadFact", "lead_facts", "location_of",
           "remember"]
