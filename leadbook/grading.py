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
from .days import FIRST_DAY, LAST_DAY, day_number
from .days import iso as _iso
from .horizon import Horizon, add_months
from .model import Status
from .rule_words import Rule
from .schedule import add_months as add_months_all
from .texts import Problem
from .value_words import Why

# The flags on a lead's row (rule_words.Rule), in Chinese: the default language.
PASSED_FLAG = Rule.PASSED.zh
REQUALIFY_FLAG = Rule.REQUALIFY.zh  # an open-ended horizon's earliest date came
MISSING_FLAG = Rule.NO_HORIZON.zh
QUASI_LOST_AFTER_DAYS = 30  # expected purchase passed this long ago → suggest 准战败 (§3)


def grade_change(recorded: str | None, grade: str, status: Status) -> str:
    """级别变化 for an active or dormant lead: "B→A", "新定 A", or "" when unchanged."""
    if status not in (Status.ACTIVE, Status.DORMANT) or not grade:
        return ""
    if not recorded:
        return f"新定 {grade}"  # rule_words.Rule.NEWLY_GRADED, as the annotated copy says it
    return "" if recorded == grade else f"{recorded}→{grade}"


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


def _horizon_columns(horizons: list[Horizon | None]) -> dict[str, np.ndarray]:
    """Each lead's horizon as columns: kind ("" for none), days, months, date; read once
    per distinct horizon (the readers share one object per distinct text)."""
    distinct: dict[int, int] = {}
    table: list[Horizon | None] = []
    where = np.empty(len(horizons), dtype=np.int64)
    for i, h in enumerate(horizons):
        k = distinct.get(id(h))
        if k is None:
            k = distinct[id(h)] = len(table)
            table.append(h)
        where[i] = k
    kinds = np.array([h.kind if h is not None else "" for h in table] or [""], dtype=object)
    days = np.array([(h.days or 0) if h is not None else 0 for h in table] or [0],
                    dtype=np.int64)
    months = np.array([h.months if h is not None and h.months is not None else -1
                       for h in table] or [-1], dtype=np.int64)
    dates = np.array([day_number(h.date) if h is not None and h.date is not None
                      else 0 for h in table] or [0], dtype=np.int64)
    has_date = np.array([h is not None and h.date is not None for h in table] or [False])
    texts = np.array([h.text if h is not None else "" for h in table] or [""], dtype=object)
    return {"kind": kinds[where], "days": days[where], "months": months[where],
            "date": dates[where], "has_date": has_date[where], "text": texts[where]}


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
    h = _horizon_columns(horizons)
    shown = np.where(pd.notna(horizon_text) & (horizon_text != ""), horizon_text, h["text"])
    shown = np.where(pd.isna(shown), "", shown)

    def say(rows: np.ndarray, phrase: Rule, **columns: Any) -> None:
        """The reason of ``rows``: ``phrase`` with each row's values."""
        names = list(columns)
        values = [columns[k] if isinstance(columns[k], list) else columns[k][rows].tolist()
                  for k in names]
        out.reason[rows] = [phrase.say(lang, **dict(zip(names, v, strict=True)))
                            for v in zip(*values, strict=True)] if len(names) else \
            phrase.say(lang)

    # Rule 1: status decides first.
    for value, grade, phrase in ((Status.WON.value, WON, Rule.WON),
                                 (Status.LOST.value, LOST, Rule.LOST),
                                 (Status.INVALID.value, "", Rule.INVALID)):
        rows = np.flatnonzero(status == value)
        out.grade[rows] = grade
        out.reason[rows] = phrase.say(lang)
    open_ = ~np.isin(status, (Status.WON.value, Status.LOST.value, Status.INVALID.value))
    kind = h["kind"]
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
    months = h["months"]
    span = np.where(months >= 0, add_months_all(base, np.maximum(months, 0)), base + h["days"])
    horizon = open_ & np.isin(kind, ("beyond", "relative", "absolute"))
    fallthrough = open_ & (kind == "")
    # 一年以上 / 半年以后 / 超过3个月: graded by the span as said, flagged once it has run.
    beyond = horizon & (kind == "beyond")
    after = span + 1
    in_calendar = (after >= FIRST_DAY) & (after <= LAST_DAY)
    rows = np.flatnonzero(beyond & ~in_calendar)
    last_grade = scheme.horizon_grades[-1].grade
    out.grade[rows] = last_grade
    say(rows, Rule.BEYOND_ANY, horizon=shown, grade=[last_grade] * len(rows))
    rows = np.flatnonzero(beyond & in_calendar)
    earliest = span[rows]
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
    dated = horizon & ~beyond
    expected = np.where(kind == "absolute", h["date"], span)
    if (dated & (kind == "absolute") & ~h["has_date"]).any():
        raise Problem(Why.HORIZON_NO_DATE)  # as expected_date says it
    if (dated & (kind == "relative") & ((expected < FIRST_DAY) | (expected > LAST_DAY))).any():
        raise Problem(Why.HORIZON_BEYOND_CALENDAR)
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
