"""Re-grading the leads by the store's scheme (domain.md §2, rules 1–5).

Pure: the leads' statuses, purchase horizons, recorded grades and contact dates
in, as columns; each lead's grade and the reason in plain words out, as columns
(:func:`grade_leads`). The as-of date is a parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .config import LOST, NEW, WON, Grade, Scheme
from .daycount import date_of, day_number
from .daycount import iso as _iso
from .horizon import Horizon, add_months, expected_date
from .model import Status
from .rule_words import Rule
from .schedule import add_months as add_months_all

# The flags on a lead's row (rule_words.Rule), in Chinese: the default language.
PASSED_FLAG = Rule.PASSED.zh
REQUALIFY_FLAG = Rule.REQUALIFY.zh  # an open-ended horizon's earliest date came
MISSING_FLAG = Rule.NO_HORIZON.zh
QUASI_LOST_AFTER_DAYS = 30  # expected purchase passed this long ago → suggest 准战败 (§3)


# The rules over every lead at once: columns in, columns out. Days are day numbers
# (days since 1970-01-01); a date column has a "has" mask beside it.

@dataclass
class Gradings:
    """Every lead's grading (Grading, as columns)."""

    grade: np.ndarray  # object: "" for an invalid lead
    reason: np.ndarray  # object, in the run's language
    expected: np.ndarray  # int64 day numbers
    has_expected: np.ndarray  # bool
    passed_days: np.ndarray  # int64
    missing_horizon: np.ndarray  # bool
    quasi_lost: np.ndarray  # bool
    requalify: np.ndarray  # bool


def _horizon_columns(horizons: list[Horizon | None]) -> tuple[list[Horizon | None], np.ndarray]:
    """The distinct horizons (the readers share one object per distinct text; None for
    no horizon), and where each lead's is among them."""
    distinct: dict[int, int] = {}
    table: list[Horizon | None] = []
    where = np.empty(len(horizons), dtype=np.int64)
    for i, h in enumerate(horizons):
        k = distinct.get(id(h))
        if k is None:
            k = distinct[id(h)] = len(table)
            table.append(h)
        where[i] = k
    return table, where


def _purchase_days(table: list[Horizon | None], where: np.ndarray, base: np.ndarray,
                   beyond_calendar: bool) -> tuple[np.ndarray, np.ndarray]:
    """horizon.expected_date of each row's horizon from its base day, as day numbers,
    worked out once per distinct horizon and base day, and where there is one. With
    ``beyond_calendar`` a span past the calendar's end gives none; else expected_date's
    Problem is raised."""
    pairs, back = np.unique(np.stack([where, base]), axis=1, return_inverse=True)
    days = np.zeros(pairs.shape[1], dtype=np.int64)
    has = np.zeros(pairs.shape[1], dtype=bool)
    for k, (h, b) in enumerate(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True)):
        horizon = table[h]
        assert horizon is not None
        try:
            day = expected_date(horizon, date_of(b))
        except (ValueError, OverflowError):
            if not beyond_calendar:
                raise
            day = None
        if day is not None:
            days[k], has[k] = day_number(day), True
    back = back.reshape(-1)
    return days[back], has[back]


def _bound_reaches(grade: Grade, base: np.ndarray) -> np.ndarray | None:
    """bound_date(grade, base) for every base day; None for a grade with no bound."""
    if grade.within_days is not None:
        return base + grade.within_days
    if grade.within_months is not None:
        return add_months_all(base, np.full(len(base), grade.within_months))
    return None


def _within_all(grade: Grade, expected: np.ndarray, as_of: dt.date) -> np.ndarray:
    """within(grade, expected, as_of) for every expected day."""
    today = day_number(as_of)
    if grade.within_days is not None:
        return np.asarray(expected - today <= grade.within_days)
    if grade.within_months is not None:
        return np.asarray(expected <= day_number(add_months(as_of, grade.within_months)))
    return np.ones(len(expected), dtype=bool)


def grade_leads(
    *,
    status: np.ndarray,
    horizons: list[Horizon | None],
    horizon_text: np.ndarray,
    recorded: np.ndarray,
    first: np.ndarray,
    has_first: np.ndarray,
    last: np.ndarray,
    has_last: np.ndarray,
    as_of: dt.date,
    scheme: Scheme,
    lang: str = "zh",
) -> Gradings:
    """grade_lead for every lead at once (domain.md §2, rules 1–5): ``status`` holds
    Status values, ``recorded`` the grades as recorded (None where none)."""
    n = len(status)
    today = day_number(as_of)
    out = Gradings(np.full(n, "", dtype=object), np.full(n, "", dtype=object),
                   np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool),
                   np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool),
                   np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    table, where = _horizon_columns(horizons)
    kind = np.array([h.kind if h is not None else "" for h in table] or [""],
                    dtype=object)[where]
    said_as = np.array([h.text if h is not None else "" for h in table] or [""],
                       dtype=object)[where]
    shown = np.where(pd.notna(horizon_text) & (horizon_text != ""), horizon_text, said_as)
    shown = np.where(pd.isna(shown), "", shown)

    def say(rows: np.ndarray, phrase: Rule, **columns: Any) -> None:
        """The reason of ``rows``: ``phrase`` with each row's values."""
        names = list(columns)
        values = [columns[k] if isinstance(columns[k], list) else columns[k][rows].tolist()
                  for k in names]
        if not names:
            out.reason[rows] = phrase.say(lang)
            return
        said: dict[tuple[Any, ...], str] = {}  # leads share their reasons' values
        reasons = []
        for v in zip(*values, strict=True):
            reason = said.get(v)
            if reason is None:
                reason = said[v] = phrase.say(lang, **dict(zip(names, v, strict=True)))
            reasons.append(reason)
        out.reason[rows] = reasons

    # Rule 1: status decides first.
    for value, grade, phrase in ((Status.WON.value, WON, Rule.WON),
                                 (Status.LOST.value, LOST, Rule.LOST),
                                 (Status.INVALID.value, "", Rule.INVALID)):
        rows = np.flatnonzero(status == value)
        out.grade[rows] = grade
        out.reason[rows] = phrase.say(lang)
    open_ = ~np.isin(status, (Status.WON.value, Status.LOST.value, Status.INVALID.value))
    # Rule 4: "no need" answers.
    rows = np.flatnonzero(open_ & (kind == "no_need"))
    note = Rule.QUASI_NOTE.say(lang) if scheme.no_need_quasi_lost else ""
    out.grade[rows] = scheme.no_need
    out.reason[rows] = [Rule.NO_NEED.say(lang, horizon=s, grade=scheme.no_need, note=note)
                        for s in shown[rows].tolist()]
    out.quasi_lost[rows] = scheme.no_need_quasi_lost
    # Rule 2: the purchase horizon decides, from the latest contact (else the first,
    # else as-of).
    base = np.where(has_last, last, np.where(has_first, first, today))
    horizon = open_ & np.isin(kind, ("beyond", "relative", "absolute"))
    fallthrough = open_ & (kind == "")
    # 一年以上 / 半年以后 / 超过3个月: graded by the span as said, flagged once it has run.
    beyond = np.flatnonzero(horizon & (kind == "beyond"))
    # expected_date gives the day after the span; the span's own end is the earliest.
    after, in_calendar = _purchase_days(table, where[beyond], base[beyond], True)
    rows = beyond[~in_calendar]
    last_grade = scheme.horizon_grades[-1].grade
    out.grade[rows] = last_grade
    say(rows, Rule.BEYOND_ANY, horizon=shown, grade=[last_grade] * len(rows))
    rows = beyond[in_calendar]
    earliest = after[in_calendar] - 1
    chosen = np.full(len(rows), last_grade, dtype=object)
    undecided = np.ones(len(rows), dtype=bool)
    for g in scheme.horizon_grades:
        reach = _bound_reaches(g, base[rows])
        takes = undecided & (True if reach is None else reach > earliest)
        chosen[takes] = g.grade
        undecided &= ~takes
    out.grade[rows] = chosen
    base_iso = [_iso(d) for d in base[rows].tolist()]
    earliest_iso = [_iso(d) for d in earliest.tolist()]
    reasons = [Rule.BEYOND.say(lang, horizon=s, base=b, earliest=e, grade=g)
               for s, b, e, g in zip(shown[rows].tolist(), base_iso, earliest_iso,
                                     chosen.tolist(), strict=True)]
    ran = earliest < today
    requalify = Rule.REQUALIFY.say(lang)
    out.reason[rows] = [Rule.WITH_FLAG.say(lang, reason=r, flag=requalify) if flag else r
                        for r, flag in zip(reasons, ran.tolist(), strict=True)]
    out.expected[rows], out.has_expected[rows] = earliest, True
    out.requalify[rows] = ran
    # A horizon with a purchase date: relative (from the base) or absolute.
    dated = horizon & (kind != "beyond")
    expected = np.zeros(n, dtype=np.int64)
    at = np.flatnonzero(dated)
    expected[at] = _purchase_days(table, where[at], base[at], False)[0]
    since = np.full(n, "", dtype=object)
    relative = np.flatnonzero(dated & (kind != "absolute"))
    since[relative] = [Rule.SINCE.say(lang, date=_iso(d)) for d in base[relative].tolist()]
    remaining = expected - today
    rows = np.flatnonzero(dated & (remaining < 0))
    top = scheme.horizon_grades[0].grade
    passed = -remaining[rows]
    out.grade[rows] = top
    say(rows, Rule.HORIZON_PASSED, horizon=shown, since=since,
        expected=[_iso(d) for d in expected[rows].tolist()], days=passed.tolist(),
        grade=[top] * len(rows), flag=[Rule.PASSED.say(lang)] * len(rows))
    out.expected[rows], out.has_expected[rows] = expected[rows], True
    out.passed_days[rows] = passed
    out.quasi_lost[rows] = passed > QUASI_LOST_AFTER_DAYS
    ahead = dated & (remaining >= 0)
    for g in scheme.horizon_grades:
        rows = np.flatnonzero(ahead & _within_all(g, expected, as_of))
        out.grade[rows] = g.grade
        say(rows, Rule.HORIZON_WITHIN, horizon=shown, since=since,
            expected=[_iso(d) for d in expected[rows].tolist()], days=remaining,
            grade=[g.grade] * len(rows))
        out.expected[rows], out.has_expected[rows] = expected[rows], True
        ahead[rows] = False
    fallthrough |= ahead  # no grade's bound holds: as if there were no horizon
    # Rule 3: no horizon: keep a valid recorded grade, else N.
    valid = [*scheme.by_name, NEW]
    keeps = pd.Series(recorded, dtype=object).isin(valid).to_numpy()
    flag = Rule.NO_HORIZON.say(lang)
    rows = np.flatnonzero(fallthrough & keeps)
    out.grade[rows] = recorded[rows]
    say(rows, Rule.KEEP_RECORDED, flag=[flag] * len(rows), grade=recorded)
    out.missing_horizon[rows] = True
    rows = np.flatnonzero(fallthrough & ~keeps)
    out.grade[rows] = NEW
    out.reason[rows] = [
        Rule.GRADED_NEW.say(lang, flag=flag,
                            was=Rule.NOT_IN_SCHEME.say(lang, grade=r) if r else "")
        for r in recorded[rows].tolist()]
    out.missing_horizon[rows] = True
    return out
