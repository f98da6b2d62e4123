"""Re-grading a lead by the store's scheme (domain.md §2, rules 1–5).

Pure: the lead's status, purchase horizon, recorded grade and contact dates in;
the grade and the reason in plain words out. The as-of date is a parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .config import LOST, NEW, WON, Grade, Scheme
from .horizon import Horizon, add_months, expected_date
from .model import Status
from .rule_words import Rule

# The flags on a lead's row (rule_words.Rule), in Chinese: the default language.
PASSED_FLAG = Rule.PASSED.zh
REQUALIFY_FLAG = Rule.REQUALIFY.zh  # an open-ended horizon's earliest date came
MISSING_FLAG = Rule.NO_HORIZON.zh
QUASI_LOST_AFTER_DAYS = 30  # expected purchase passed this long ago → suggest 准战败 (§3)


@dataclass(frozen=True)
class Grading:
    grade: str  # "" for an invalid lead
    reason: str  # in the run's language
    expected: dt.date | None = None
    passed_days: int = 0  # how long ago the expected purchase date passed
    missing_horizon: bool = False
    quasi_lost: bool = False  # suggest 准战败 (habc "no need", or a long-passed purchase date)
    requalify: bool = False  # an open-ended horizon whose earliest date has passed


def bound_date(grade: Grade, base: dt.date) -> dt.date | None:
    """The last day a grade's horizon bound reaches from ``base``; None for no bound."""
    if grade.within_days is not None:
        return base + dt.timedelta(days=grade.within_days)
    if grade.within_months is not None:
        return add_months(base, grade.within_months)
    return None


def open_ended_grade(scheme: Scheme, earliest: dt.date, base: dt.date) -> Grade:
    """"Not before ``earliest``": the first grade whose bound lies beyond the span said.

    The span is measured from ``base`` (the contact it was said at), not from the
    as-of date, so time passing does not move the grade up (domain.md §2, rule 2).
    """
    for grade in scheme.horizon_grades:
        reach = bound_date(grade, base)
        if reach is None or reach > earliest:
            return grade
    return scheme.horizon_grades[-1]


def within(grade: Grade, expected: dt.date, as_of: dt.date) -> bool:
    """Does the grade's horizon bound hold for a purchase expected on ``expected``?"""
    if grade.within_days is not None:
        return (expected - as_of).days <= grade.within_days
    if grade.within_months is not None:
        return expected <= add_months(as_of, grade.within_months)
    return True


def grade_lead(
    *,
    status: Status,
    horizon: Horizon | None,
    horizon_text: str | None,
    recorded: str | None,
    first_contact: dt.date | None,
    last_contact: dt.date | None,
    as_of: dt.date,
    scheme: Scheme,
    lang: str = "zh",
) -> Grading:
    """The lead's grade and why, in ``lang`` (domain.md §2, rules 1–5)."""
    # Rule 1: status decides first.
    if status is Status.WON:
        return Grading(WON, Rule.WON.say(lang))
    if status is Status.LOST:
        return Grading(LOST, Rule.LOST.say(lang))
    if status is Status.INVALID:
        return Grading("", Rule.INVALID.say(lang))
    shown = horizon_text or (horizon.text if horizon else "")
    # Rule 4: "no need" answers.
    if horizon is not None and horizon.kind == "no_need":
        note = Rule.QUASI_NOTE.say(lang) if scheme.no_need_quasi_lost else ""
        return Grading(
            scheme.no_need,
            Rule.NO_NEED.say(lang, horizon=shown, grade=scheme.no_need, note=note),
            quasi_lost=scheme.no_need_quasi_lost,
        )
    # Rule 2: the purchase horizon decides.
    if horizon is not None:
        base = last_contact or first_contact or as_of
        if horizon.kind == "beyond":
            return _open_ended(horizon, shown, base, as_of, scheme, lang)
        expected = expected_date(horizon, base)
        if expected is None:  # pragma: no cover - only no_need has no date
            return Grading(recorded or NEW, Rule.NOT_CONVERTED.say(lang, horizon=shown))
        since = "" if horizon.kind == "absolute" else Rule.SINCE.say(lang, date=base.isoformat())
        remaining = (expected - as_of).days
        if remaining < 0:
            top = scheme.horizon_grades[0].grade
            passed = -remaining
            return Grading(
                top,
                Rule.HORIZON_PASSED.say(lang, horizon=shown, since=since,
                                        expected=expected.isoformat(), days=passed, grade=top,
                                        flag=Rule.PASSED.say(lang)),
                expected=expected,
                passed_days=passed,
                quasi_lost=passed > QUASI_LOST_AFTER_DAYS,
            )
        for grade in scheme.horizon_grades:
            if within(grade, expected, as_of):
                return Grading(
                    grade.grade,
                    Rule.HORIZON_WITHIN.say(lang, horizon=shown, since=since,
                                            expected=expected.isoformat(), days=remaining,
                                            grade=grade.grade),
                    expected=expected,
                )
    # Rule 3: no horizon: keep a valid recorded grade, else N.
    valid = set(scheme.by_name) | {NEW}
    if recorded in valid:
        reason = Rule.KEEP_RECORDED.say(lang, flag=Rule.NO_HORIZON.say(lang), grade=recorded)
        return Grading(recorded, reason, missing_horizon=True)
    was = Rule.NOT_IN_SCHEME.say(lang, grade=recorded) if recorded else ""
    reason = Rule.GRADED_NEW.say(lang, flag=Rule.NO_HORIZON.say(lang), was=was)
    return Grading(NEW, reason, missing_horizon=True)


def _open_ended(
    horizon: Horizon, shown: str, base: dt.date, as_of: dt.date, scheme: Scheme, lang: str
) -> Grading:
    """一年以上 / 半年以后 / 超过3个月: graded by the span as said, flagged once it has run."""
    try:
        # expected_date gives the day after the span; the span's own end is the earliest.
        after = expected_date(horizon, base)
        earliest = after - dt.timedelta(days=1) if after is not None else None
    except (ValueError, OverflowError):  # a span past the calendar's end: beyond every bound
        earliest = None
    if earliest is None:
        grade = scheme.horizon_grades[-1]
        return Grading(grade.grade, Rule.BEYOND_ANY.say(lang, horizon=shown, grade=grade.grade))
    grade = open_ended_grade(scheme, earliest, base)
    reason = Rule.BEYOND.say(lang, horizon=shown, base=base.isoformat(),
                             earliest=earliest.isoformat(), grade=grade.grade)
    if as_of > earliest:
        flagged = Rule.WITH_FLAG.say(lang, reason=reason, flag=Rule.REQUALIFY.say(lang))
        return Grading(grade.grade, flagged, expected=earliest, requalify=True)
    return Grading(grade.grade, reason, expected=earliest)


def grade_change(recorded: str | None, grade: str, status: Status) -> str:
    """级别变化 for an active or dormant lead: "B→A", "新定 A", or "" when unchanged."""
    if status not in (Status.ACTIVE, Status.DORMANT) or not grade:
        return ""
    if not recorded:
        return f"新定 {grade}"  # rule_words.Rule.NEWLY_GRADED, as the annotated copy says it
    return "" if recorded == grade else f"{recorded}→{grade}"
