"""The records the rules work on: a lead-card row (Lead), a daily-report row
(Activity) and everything read from an inbox (Records).

Built by leadbook.records (rows of a sheet) and leadbook.grid_activity (the days
of a month grid); plain values, no reading here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .horizon import Horizon
from .model import Issue, Status
from .spend import SpendItem
from .texts import Words


@dataclass(slots=True, eq=False)
class Lead:
    """One row of a lead-card sheet, read and then worked on by the rules."""

    file: str
    sheet: str
    row: int
    seq: int  # reading order over the whole inbox: "the earliest row"
    name: str | None = None
    phone: str | None = None
    consultant: str | None = None
    source: str | None = None
    model: str | None = None
    first_contact: dt.date | None = None
    last_contact: dt.date | None = None
    next_contact: dt.date | None = None
    delivery_date: dt.date | None = None
    birthday: dt.date | None = None
    lost_date: dt.date | None = None
    horizon: Horizon | None = None
    horizon_text: str | None = None
    grade_recorded: str | None = None
    status: Status = Status.ACTIVE
    lost_reason: str | None = None
    competitor: str | None = None
    notes: str | None = None
    # The annotated copy's 提示: the row's problems as words, the rules' hints already
    # in the run's language.
    hints: list[Words | str] = field(default_factory=list)
    # set by the rules, in the run's language
    grade: str = ""
    reason: str = ""  # why the lead has its grade
    due_why: str = ""  # how its next due date was set
    grade_change: str = ""
    expected: dt.date | None = None
    next_due: dt.date | None = None
    days_late: int | None = None
    bucket: str = ""
    escalation: str = ""
    owner: Lead | None = None  # the lead this row repeats, when it is a duplicate
    duplicate_kind: str = ""  # conflict | repeat

    @property
    def latest_contact(self) -> dt.date | None:
        return self.last_contact or self.first_contact

    @property
    def lost_on(self) -> dt.date | None:
        """The day a lost lead was lost: its 战败日期, else its latest contact."""
        return self.lost_date or self.latest_contact

    @property
    def is_duplicate(self) -> bool:
        return self.owner is not None


@dataclass(slots=True, eq=False)
class Activity:
    """One row of a daily activity report: one consultant, one day."""

    file: str
    sheet: str
    row: int
    date: dt.date | None = None
    consultant: str | None = None
    traffic: float | None = None
    kept: float | None = None
    calls: float | None = None
    invited_visits: float | None = None
    test_drives: float | None = None
    orders: float | None = None
    deliveries: float | None = None
    lost: float | None = None
    hints: list[Words | str] = field(default_factory=list)
    store_level: bool = False  # a day of a month grid: the whole store, no consultant


@dataclass
class Records:
    leads: list[Lead] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    spend: list[SpendItem] = field(default_factory=list)  # the spend sheets' rows
    issues: list[Issue] = field(default_factory=list)
