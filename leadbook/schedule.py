"""What is due: next follow-up, escalation, post-sale care, lost review (domain.md §3).

Pure: dates and grades in, dates and plain words out, as columns (day numbers:
days since 1970-01-01); the as-of date is a parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import NEW, Scheme
from .daycount import day_number
from .daycount import iso as _iso
from .model import Status
from .rule_words import Bucket, Flag, Rule, TaskName

# Upcoming work by how soon it falls due (parts-trade article, seeds/001):
# 紧急 within 7 days, 缓急 within 30, 不紧急 within 90, 可慢反应 later. The
# tables hold the codes (rule_words.Bucket); the writers show the words.
BUCKETS: tuple[tuple[int, str], ...] = (
    (7, Bucket.URGENT.code), (30, Bucket.SOON.code), (90, Bucket.LATER.code))
LATER = Bucket.NO_RUSH.code
OVERDUE, TODAY = Bucket.OVERDUE.code, Bucket.TODAY.code

# Escalations (domain.md §3), as codes (rule_words.Flag).
MANAGER = Flag.MANAGER.code  # overdue by more than one cadence
QUASI_LOST = Flag.QUASI_LOST.code  # stale, or purchase date long passed: manager confirms

# Post-sale care after delivery (dealer CRM maintenance manual, seeds/002):
# thank-you letter and the sales manager's call within 24 hours of delivery,
# the consultant's call at 7 days, then contact every 2 months (保养提醒),
# birthday and purchase anniversary.
CARE_AFTER_DELIVERY: tuple[tuple[str, int], ...] = (
    (TaskName.THANK_YOU_LETTER.code, 1), (TaskName.MANAGER_CALL.code, 1),
    (TaskName.CONSULTANT_CALL.code, 7))
CARE_EVERY_MONTHS = 2
CARE_REMINDER = TaskName.SERVICE_REMINDER.code
BIRTHDAY, ANNIVERSARY = TaskName.BIRTHDAY.code, TaskName.ANNIVERSARY.code
LOST_REVIEW, LOST_REVIEW_DAYS = TaskName.LOST_REVIEW.code, 3  # manager's review call within 3 days

# The week's work (domain.md §3): what is overdue, due today, or due within
# `[followups] list_days` days. A care or review task stays listed until it is
# done, for up to TASK_OPEN_DAYS past its date; then it is missed, and reported
# as missed for MISSED_REPORT_DAYS more (the month after it dropped off the list).
LIST_DAYS = 7
TASK_OPEN_DAYS = 30
MISSED_REPORT_DAYS = 30
LISTED, DONE, MISSED = "listed", "done", "missed"


def _horizon(as_of: dt.date, list_days: int) -> tuple[dt.date, dt.date]:
    """The days a care or review task can be of this week's business on: from
    the oldest still reported as missed to the last day of the list."""
    back = dt.timedelta(days=TASK_OPEN_DAYS + MISSED_REPORT_DAYS)
    return as_of - back, as_of + dt.timedelta(days=list_days)


# Care and review tasks as columns. Days are day numbers (days since 1970-01-01,
# numpy int64); a task table has one row per task: ``lead`` (the lead's position
# in the leads' table), ``order`` (the task's place among its lead's tasks of one
# day), ``task`` (a TaskName code), ``day`` (its due day) and ``opens`` (the first
# day a contact with the customer counts as doing it).
def _month_start(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """The day number of the first of each month (month 1–12)."""
    months = (year - 1970) * 12 + (month - 1)
    return np.asarray(months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64))


def _clipped(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The day number of each (year, month, day), the day clipped to the month's end."""
    start = _month_start(year, month)
    length = _month_start(year + month // 12, month % 12 + 1) - start
    return np.asarray(start + np.minimum(day, length) - 1)


def _parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1–12) and day of the month of each day number."""
    as_days = days.astype("datetime64[D]")
    months = as_days.astype("datetime64[M]")
    month_index = months.astype(np.int64)
    year, month = month_index // 12 + 1970, month_index % 12 + 1
    return year, month, (as_days - months.astype("datetime64[D]")).astype(np.int64) + 1


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar months, the day clipped to the month's end (01-31 + 1 month = 02-28);
    horizon.add_months on day numbers."""
    year, month, day = _parts(days)
    index = month - 1 + months
    return _clipped(year + index // 12, index % 12 + 1, day)


def same_day_in(days: np.ndarray, year: int) -> np.ndarray:
    """The same month and day in ``year``; 29 February falls on the 28th."""
    _, month, day = _parts(days)
    return _clipped(np.full(len(days), year, dtype=np.int64), month, day)


def _tasks(lead: np.ndarray, order: np.ndarray | int, task: str, day: np.ndarray,
           opens: np.ndarray | None = None) -> pd.DataFrame:
    table: pd.DataFrame = pd.DataFrame({"lead": lead, "order": order, "task": task, "day": day,
                                        "opens": day if opens is None else opens})
    return table


def care_tasks(lead: np.ndarray, delivered: np.ndarray, has_delivered: np.ndarray,
               birthday: np.ndarray, has_birthday: np.ndarray, as_of: dt.date,
               list_days: int = LIST_DAYS) -> pd.DataFrame:
    """The care tasks of won customers that can be this week's business (see
    task_states): for each (``lead``, its delivery day, its birthday) the thank-you
    letter and the manager's call a day after delivery, the consultant's call at 7
    days, a service reminder every 2 months, the purchase anniversary and the
    birthday, on the days from the oldest task still reported to the list's end."""
    first, last = (day_number(d) for d in _horizon(as_of, list_days))
    won, day = lead[has_delivered], delivered[has_delivered]
    parts = [_tasks(won, i, task, day + after)
             for i, (task, after) in enumerate(CARE_AFTER_DELIVERY)]
    # Every second month after delivery that falls between first and last.
    year, month, _ = _parts(day)
    first_year, first_month, _ = _parts(np.array([first]))
    last_year, last_month, _ = _parts(np.array([last]))
    to_first = (first_year * 12 + first_month) - (year * 12 + month)
    to_last = (last_year * 12 + last_month) - (year * 12 + month)
    start = np.maximum(CARE_EVERY_MONTHS, (to_first - 1) // CARE_EVERY_MONTHS
                       * CARE_EVERY_MONTHS)
    steps = int(max(0, int((to_last - start).max(initial=0)) // CARE_EVERY_MONTHS + 2))
    for k in range(steps):
        months = start + k * CARE_EVERY_MONTHS
        due = add_months(day, months)
        parts.append(_tasks(won, len(CARE_AFTER_DELIVERY) + k, CARE_REMINDER, due))
    years = range(as_of.year - 1, as_of.year + 2)  # first and last lie within these
    n = len(CARE_AFTER_DELIVERY) + steps
    for j, y in enumerate(years):
        later = year < y
        parts.append(_tasks(won[later], n + j, ANNIVERSARY, same_day_in(day[later], y)))
    for j, y in enumerate(years):
        parts.append(_tasks(lead[has_birthday], n + len(years) + j, BIRTHDAY,
                            same_day_in(birthday[has_birthday], y)))
    tasks = pd.concat(parts, ignore_index=True)
    kept: pd.DataFrame = tasks[(tasks["day"] >= first) & (tasks["day"] <= last)]
    return kept


def lost_reviews(lead: np.ndarray, lost_on: np.ndarray, as_of: dt.date,
                 list_days: int = LIST_DAYS) -> pd.DataFrame:
    """The manager's review call for each lost lead, due within 3 days of the loss.

    Any contact after the day of the loss is the review (it opens the next day);
    without a 战败日期 column the loss is dated by the latest contact."""
    first, last = (day_number(d) for d in _horizon(as_of, list_days))
    day = lost_on + LOST_REVIEW_DAYS
    near = (day >= first) & (day <= last)
    return _tasks(lead[near], 0, LOST_REVIEW, day[near], lost_on[near] + 1)


def task_states(tasks: pd.DataFrame, latest_contact: np.ndarray, has_contact: np.ndarray,
                as_of: dt.date, list_days: int = LIST_DAYS) -> np.ndarray:
    """listed | done | missed | "" (not this week's business) for each task, given its
    lead's latest contact.

    Done: the customer's latest contact is on or after the day the task opens.
    Listed: not done, due within ``list_days`` and at most TASK_OPEN_DAYS late.
    Missed: not done and TASK_OPEN_DAYS late, reported for MISSED_REPORT_DAYS.
    """
    late = day_number(as_of) - tasks["day"].to_numpy()
    done = has_contact & (latest_contact >= tasks["opens"].to_numpy())
    return np.select(
        [late < -list_days, done, late <= TASK_OPEN_DAYS,
         late <= TASK_OPEN_DAYS + MISSED_REPORT_DAYS],
        [np.array(""), np.array(DONE), np.array(LISTED), np.array(MISSED)], default="")


def buckets(days_late: np.ndarray) -> np.ndarray:
    """bucket() of each day count (as_of − due)."""
    ahead = -days_late
    return np.select(
        [days_late > 0, days_late == 0, *(ahead <= limit for limit, _ in BUCKETS)],
        [np.array(OVERDUE), np.array(TODAY), *(np.array(word) for _, word in BUCKETS)],
        default=LATER)


@dataclass
class Dues:
    """Every scheduled lead's next due date (Due, as columns)."""

    next_due: np.ndarray  # int64 day numbers
    has_due: np.ndarray  # bool
    days_late: np.ndarray  # int64 (where has_due)
    cadence: np.ndarray  # int64
    bucket: np.ndarray  # object: a Bucket code, "" without a due date
    escalation: np.ndarray  # object: a Flag code, or ""
    why: np.ndarray  # object, in the run's language


def due_leads(
    *,
    grade: np.ndarray,
    status: np.ndarray,
    first: np.ndarray,
    has_first: np.ndarray,
    last: np.ndarray,
    has_last: np.ndarray,
    agreed: np.ndarray,
    has_agreed: np.ndarray,
    as_of: dt.date,
    scheme: Scheme,
    stale_factor: float,
    quasi_lost: np.ndarray,
    lang: str = "zh",
) -> Dues:
    """next_due for every lead given (active or dormant ones) at once; ``agreed`` is
    the next contact date the card holds."""
    n = len(grade)
    today = day_number(as_of)
    dormant = status == Status.DORMANT.value
    every_of = {g.grade: g.every_days for g in scheme.grades}
    every = np.array([every_of.get(g, 1) for g in grade.tolist()] or [1], dtype=np.int64)[:n]
    every = np.where(dormant, scheme.slowest_days, every)
    latest = np.where(has_last, last, first)
    has_latest = has_last | has_first
    due = np.zeros(n, dtype=np.int64)
    has_due = np.zeros(n, dtype=bool)
    why = np.full(n, "", dtype=object)
    # A new lead: the day after its first contact.
    new = (grade == NEW) & ~dormant
    start = np.where(has_first, first, last)
    rows = np.flatnonzero(new & has_latest)
    due[rows], has_due[rows] = start[rows] + 1, True
    why[rows] = [Rule.NEW_LEAD.say(lang, date=_iso(d)) for d in start[rows].tolist()]
    # Else the grade's cadence from the latest contact, or the next contact agreed
    # when it comes sooner.
    cycle = ~new & has_latest
    rows = np.flatnonzero(cycle)
    due[rows], has_due[rows] = latest[rows] + every[rows], True
    dates = [_iso(d) for d in latest[rows].tolist()]
    why[rows] = [
        Rule.CADENCE_DORMANT.say(lang, date=d, days=e) if sleeping
        else Rule.CADENCE.say(lang, date=d, days=e, grade=g)
        for d, e, g, sleeping in zip(dates, every[rows].tolist(), grade[rows].tolist(),
                                     dormant[rows].tolist(), strict=True)]
    sooner = cycle & has_agreed & (agreed >= latest) & (agreed < due)
    rows = np.flatnonzero(sooner)
    due[rows] = agreed[rows]
    why[rows] = [Rule.AGREED.say(lang, date=_iso(d)) for d in agreed[rows].tolist()]
    late = today - due
    stale = has_latest & (today - latest > stale_factor * every)
    escalation = np.where(has_due & (late > every), MANAGER, "").astype(object)
    escalation = np.where(quasi_lost | (has_due & stale), QUASI_LOST, escalation)
    bucket_of = np.where(has_due, buckets(late), "").astype(object)
    return Dues(due, has_due, late, every, bucket_of, escalation, why)

