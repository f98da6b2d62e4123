"""What a history snapshot holds (domain.md §10): plain values, no I/O.

Per lead, identified by the keyed hash of its phone: consultant, grade,
status, first / latest / next contact, next due and where it sat (file, sheet,
Excel row); the tasks the run listed; and one row of figures per run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LeadState:
    key: str  # keyed hash of the normalised phone
    phone_masked: str
    consultant: str
    grade: str
    status: str  # leadbook.model.Status value
    first_contact: dt.date | None
    latest_contact: dt.date | None
    next_contact: dt.date | None
    next_due: dt.date | None
    file: str
    sheet: str
    row: int


@dataclass(frozen=True, slots=True)
class TaskState:
    key: str
    consultant: str
    kind: str  # followup | care | lost_review
    task: str
    due: dt.date
    days_late: int  # as of the run that listed it


@dataclass(frozen=True)
class RunFigures:
    """One run kept: what ``leadbook history`` lists and the trend is made of."""

    store: str
    as_of: dt.date
    period_start: dt.date | None
    period_end: dt.date | None
    list_days: int
    leads: int
    due: int
    overdue: int
    traffic: float | None
    kept: float | None
    deals: float | None
    cost_per_lead: float | None
    lost_share: float | None
    followthrough_listed: int | None
    followthrough_done: int | None
    followthrough_rate: float | None


@dataclass
class Snapshot:
    run: RunFigures
    leads: dict[str, LeadState] = field(default_factory=dict)  # key → state
    tasks: list[TaskState] = field(default_factory=list)
