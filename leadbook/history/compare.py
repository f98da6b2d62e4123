"""This run against the store's previous one (domain.md §10). Pure functions.

Follow-through is the honest 潜客跟进及时率: of the follow-up calls the
previous run put on the week's work and whose due date has come by now, how
many were made (the lead's latest contact moved on, or the lead was won or
lost since), how many in time, and how many were not made though the lead is
still in the cards.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import LeadState, RunFigures, Snapshot, TaskState, day

FOLLOWUP = "followup"  # leadbook.worklist.FOLLOWUP
# Statuses that get follow-up calls (leadbook.model.Status values, domain.md §3).
ACTIVE = frozenset({"active", "dormant"})
WON, LOST = "won", "lost"
TREND_RUNS = 12  # domain.md §10: the last 12 runs
TREND_KEYS = ("as_of", "traffic", "kept", "deals", "cost_per_lead", "lost_share", "due",
              "overdue", "followthrough_rate")


@dataclass(frozen=True)
class Missed:
    """A listed call not made: the task and where the lead sat then and sits now."""

    task: TaskState
    before: LeadState
    now: LeadState


@dataclass
class Followthrough:
    listed: int = 0
    done: int = 0
    on_time: int = 0
    missed: int = 0
    by_consultant: dict[str, dict[str, Any]] = field(default_factory=dict)
    missed_list: list[Missed] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.done / self.listed if self.listed else None

    def as_dict(self) -> dict[str, Any]:
        return {"listed": self.listed, "done": self.done, "on_time": self.on_time,
                "missed": self.missed, "rate": self.rate,
                "by_consultant": self.by_consultant}


def _later(now: int | None, then: int | None) -> bool:
    return now is not None and (then is None or now > then)


def listed_calls(previous: Snapshot, as_of: dt.date) -> list[TaskState]:
    """The follow-up calls on the previous run's week's work due by ``as_of``."""
    week = previous.run.list_days
    until = day(as_of)
    assert until is not None
    return [t for t in previous.tasks
            if t.kind == FOLLOWUP and t.days_late >= -week and t.due <= until]


def followthrough(previous: Snapshot, now: Mapping[str, LeadState],
                  as_of: dt.date) -> Followthrough:
    """Listed, done, on time and missed, in all and per consultant (the task's)."""
    out = Followthrough()
    per: dict[str, Counter[str]] = {}
    listed_as_of = day(previous.run.as_of)
    assert listed_as_of is not None
    for task in sorted(listed_calls(previous, as_of),
                       key=lambda t: (t.consultant, t.due, t.key)):
        before = previous.leads.get(task.key)
        cur = now.get(task.key)
        count = per.setdefault(task.consultant, Counter())
        count["listed"] += 1
        if before is None:  # a task without its lead: not a snapshot leadbook writes
            continue
        moved = cur is not None and _later(cur.latest_contact, before.latest_contact)
        settled = cur is not None and before.status in ACTIVE and cur.status in (WON, LOST)
        if moved or settled:
            count["done"] += 1
            # Already overdue when listed: the call was due at once, the day after
            # at the latest; else by its own due date.
            deadline = task.due if task.due >= listed_as_of else listed_as_of + 1
            if moved and cur is not None and cur.latest_contact is not None \
                    and cur.latest_contact <= deadline:
                count["on_time"] += 1
        elif cur is not None:
            count["missed"] += 1
            out.missed_list.append(Missed(task, before, cur))
    for who in sorted(per):
        c = per[who]
        entry: dict[str, float | None] = {
            k: c[k] for k in ("listed", "done", "on_time", "missed")}
        entry["rate"] = c["done"] / c["listed"] if c["listed"] else None
        out.by_consultant[who] = entry
        out.listed += c["listed"]
        out.done += c["done"]
        out.on_time += c["on_time"]
        out.missed += c["missed"]
    return out


@dataclass
class LeadChanges:
    counts: dict[str, int]
    transitions: dict[str, int]
    vanished: list[LeadState]


def rank(scheme_grades: Sequence[str]) -> dict[str, int]:
    """The scheme's own grades, top first (A–D in 4s): 0 is the most urgent."""
    return {g: i for i, g in enumerate(scheme_grades)}


def lead_changes(before: Iterable[LeadState], now: Mapping[str, LeadState],
                 scheme_grades: Sequence[str]) -> LeadChanges:
    """New, carried over, vanished, up- and downgraded, newly won / lost, reopened,
    and every grade transition ("B→A") of the leads in both runs. ``before`` is
    the previous run's leads, each once, read as they come."""
    order = rank(scheme_grades)
    counts = dict.fromkeys(("new", "carried_over", "vanished", "upgraded", "downgraded",
                            "newly_won", "newly_lost", "reopened"), 0)
    transitions: Counter[str] = Counter()
    vanished: list[LeadState] = []
    for old in before:
        cur = now.get(old.key)
        if cur is None:
            if old.status in ACTIVE:
                vanished.append(old)
            continue
        counts["carried_over"] += 1
        if old.grade in order and cur.grade in order:
            if order[cur.grade] < order[old.grade]:
                counts["upgraded"] += 1
            elif order[cur.grade] > order[old.grade]:
                counts["downgraded"] += 1
        if old.grade and cur.grade and old.grade != cur.grade:
            transitions[f"{old.grade}→{cur.grade}"] += 1
        if old.status in ACTIVE:
            if cur.status == WON:
                counts["newly_won"] += 1
            elif cur.status == LOST:
                counts["newly_lost"] += 1
        elif old.status in (WON, LOST) and cur.status in ACTIVE:
            counts["reopened"] += 1
    counts["vanished"] = len(vanished)
    counts["new"] = len(now) - counts["carried_over"]
    vanished.sort(key=lambda s: (s.consultant, s.file, s.sheet, s.row))
    return LeadChanges(counts, dict(sorted(transitions.items())), vanished)


def trend(runs: Sequence[RunFigures]) -> list[dict[str, Any]]:
    """The last 12 runs, oldest first, as summary.json ``history.trend`` entries."""
    last = sorted(runs, key=lambda r: r.as_of)[-TREND_RUNS:]
    out = []
    for r in last:
        entry: dict[str, Any] = {k: getattr(r, k) for k in TREND_KEYS}
        entry["as_of"] = r.as_of.isoformat()
        for k in ("traffic", "kept", "deals"):
            if entry[k] is not None and float(entry[k]).is_integer():
                entry[k] = int(entry[k])
        out.append(entry)
    return out
