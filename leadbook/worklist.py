"""Apply the grading and scheduling rules to every lead and list the week's work.

Pure: leads in (mutated with their grade and due date), a task table out.
The task table is the week's work (domain.md §3): follow-ups overdue, due
today or due within ``list_days``; care and review tasks not yet done, from
``list_days`` ahead to TASK_OPEN_DAYS late. ``followup_counts`` counts it for
every output, so the terminal, the page, report.xlsx and summary.json agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .config import Config
from .daycount import date_of, day_number, iso
from .days import column_days as _days
from .days import day_column, masked_days
from .frames import filled
from .grading import grade_leads
from .issue_codes import IssueCode, Part
from .model import Issue, Severity, Status
from .record_types import with_columns
from .rule_words import Flag, Rule, TaskName
from .schedule import (
    BUCKETS,
    LATER,
    LIST_DAYS,
    LISTED,
    MISSED,
    OVERDUE,
    QUASI_LOST,
    TASK_OPEN_DAYS,
    TODAY,
    buckets,
    care_tasks,
    due_leads,
    lost_reviews,
    task_states,
)
from .texts import Words, said
from .values import mask_phone, mask_text

TASK_COLUMNS = [
    "consultant", "kind", "task", "due", "days_late", "bucket", "escalation", "name", "phone",
    "phone_masked", "grade", "model", "source", "reason", "file", "sheet", "row",
]
FOLLOWUP, CARE, REVIEW = "followup", "care", "lost_review"
ACTIVE, DORMANT, WON, LOST = (Status.ACTIVE.value, Status.DORMANT.value, Status.WON.value,
                              Status.LOST.value)
NO_CONSULTANT = "(未填顾问)"  # the consultant column of a lead without one
TASK_NAMES = {t.code: t for t in TaskName}


def apply_rules(leads: pd.DataFrame, config: Config, as_of: dt.date, lang: str = "zh"
                ) -> pd.DataFrame:
    """The leads' table with every lead graded and its next due date set (the columns
    of record_types.RULE_TEXT, RULE_DATES, RULE_FLAGS, ``days_late`` and
    ``cadence``), the reasons in ``lang``: grading.grade_leads and
    schedule.due_leads over the leads' columns."""
    scheme = config.scheme
    n = len(leads)
    status = leads["status"].to_numpy(dtype=object)
    first, has_first = masked_days(leads["first_contact"])
    last, has_last = masked_days(leads["last_contact"])
    recorded = leads["grade_recorded"].to_numpy(dtype=object)
    g = grade_leads(status=status, horizons=leads["horizon"].tolist(),
                    horizon_text=leads["horizon_text"].to_numpy(dtype=object),
                    recorded=recorded, first=first, has_first=has_first, last=last,
                    has_last=has_last, as_of=as_of, scheme=scheme, lang=lang)
    scheduled = np.isin(status, (ACTIVE, DORMANT))
    at = np.flatnonzero(scheduled)
    agreed, has_agreed = masked_days(leads["next_contact"].iloc[at])
    due = due_leads(grade=g.grade[at], status=status[at], first=first[at],
                    has_first=has_first[at], last=last[at], has_last=has_last[at],
                    agreed=agreed, has_agreed=has_agreed, as_of=as_of, scheme=scheme,
                    stale_factor=config.stale_factor, quasi_lost=g.quasi_lost[at], lang=lang)
    due_days, has_due = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    due_days[at], has_due[at] = due.next_due, due.has_due
    late, unknown = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
    words = {name: np.full(n, "", dtype=object) for name in ("bucket", "escalation", "due_why")}
    cadence = np.zeros(n, dtype=np.int64)
    with_due = at[due.has_due]
    late[with_due], unknown[with_due] = due.days_late[due.has_due], False
    words["bucket"][at], words["escalation"][at] = due.bucket, due.escalation
    words["due_why"][at] = due.why
    cadence[at] = due.cadence
    return with_columns(leads, dict(
        grade=g.grade, reason=g.reason, expected=day_column(g.expected, g.has_expected),
        grade_change=grade_changes(recorded, g.grade, status),
        next_due=day_column(due_days, has_due), days_late=pd.arrays.IntegerArray(late, unknown),
        cadence=cadence, **words,
        passed=g.passed_days != 0, requalify=g.requalify, no_horizon=g.missing_horizon))


def grade_changes(recorded: np.ndarray, grade: np.ndarray, status: np.ndarray) -> np.ndarray:
    """级别变化 of every lead (grading.grade_change, as a column)."""
    out = np.full(len(grade), "", dtype=object)
    graded = np.isin(status, (ACTIVE, DORMANT)) & (grade != "")
    new = graded & ~np.array([bool(r) for r in recorded.tolist()], dtype=bool)
    out[new] = "新定 " + grade[new]  # rule_words.Rule.NEWLY_GRADED, as the copy says it
    moved = graded & ~new & (recorded != grade)
    out[moved] = recorded[moved] + "→" + grade[moved]
    return out


def lead_hints(leads: pd.DataFrame, stale_factor: float, lang: str = "zh"
               ) -> list[list[Words | str]]:
    """Each lead's 提示 on its annotated row, in order: when its call is overdue or due
    today, the problems found reading and matching it (``hints``), what its grading
    found (a changed grade, a passed date, to re-qualify, no horizon), then its
    escalation."""
    hints: list[list[Words | str]] = leads["hints"].tolist()
    late = leads["days_late"].to_numpy(dtype=np.int64, na_value=-1)
    has_late = leads["days_late"].notna().to_numpy()
    changed = np.array(["→" in c for c in leads["grade_change"].tolist()], dtype=bool)
    passed, requalify = leads["passed"].to_numpy(), leads["requalify"].to_numpy()
    missing, escalation = leads["no_horizon"].to_numpy(), leads["escalation"].to_numpy()
    due = has_late & (late >= 0)
    some = due | changed | passed | requalify | missing | (escalation != "")
    if not some.any():
        return hints
    stale = Rule.STALE.say(lang, flag=Flag.QUASI_LOST.say(lang), factor=f"{stale_factor:g}")
    words = (Rule.PASSED.say(lang), Rule.REQUALIFY.say(lang), Rule.NO_HORIZON.say(lang))
    today = Rule.DUE_TODAY.say(lang)
    at = np.flatnonzero(some)
    # the rows with something to say, each column as a list (a numpy scalar a cell is slow)
    change, reason = leads["grade_change"].to_numpy()[at], leads["reason"].to_numpy()[at]
    cadence = leads["cadence"].to_numpy()[at].tolist()
    flags = zip(*(column[at].tolist() for column in (due, late, changed, passed, requalify,
                                                    missing, escalation)), strict=True)
    for k, (i, (is_due, days, is_changed, *on, escalated)) in enumerate(
            zip(at.tolist(), flags, strict=True)):
        row: list[Words | str] = []
        if is_due:
            row.append(Rule.OVERDUE_DAYS.say(lang, days=days) if days > 0 else today)
        row += hints[i]
        if is_changed:
            row.append(Rule.GRADE_CHANGED.say(lang, change=change[k], reason=reason[k]))
        row += [w for w, said in zip(words, on, strict=True) if said]
        if escalated:
            row.append(stale if escalated == QUASI_LOST else Rule.LATE_CYCLE.say(
                lang, flag=Flag.MANAGER.say(lang), days=cadence[k]))
        hints[i] = row
    return hints


def _or(words: pd.Series, default: str) -> np.ndarray:
    """Text, or ``default`` where the cell was empty (frames.filled), as an array."""
    return np.asarray(filled(words, default).to_numpy())


def _iso(days: np.ndarray) -> list[str]:
    return [iso(int(n)) for n in days]


def _said_per_day(days: np.ndarray, say: Any) -> np.ndarray:
    """``say(date)`` for each day number, said once per distinct day."""
    distinct, where = np.unique(days, return_inverse=True)
    words = np.array([say(d) for d in _iso(distinct)] or [""], dtype=object)
    return np.asarray(words[where.reshape(-1)] if len(days) else np.array([], dtype=object))


def build_tasks(leads: pd.DataFrame, as_of: dt.date, list_days: int = LIST_DAYS,
                lang: str = "zh") -> tuple[pd.DataFrame, list[Issue]]:
    """The week's work, and the care and review tasks missed (one warning each), from
    the leads' table (leadbook.frames) as the rules left it.

    Follow-ups of active and dormant leads due by as-of + ``list_days``; care
    of won customers and the review of lost ones while not done (schedule.task_states).
    Each task's 原因 is in ``lang``: the table goes to the writers as it is.
    """
    owner = ~leads["duplicate"].to_numpy()
    status = leads["status"].to_numpy()
    position = np.arange(len(leads))
    first, last = _days(leads["first_contact"]), _days(leads["last_contact"])
    has_first, has_last = leads["first_contact"].notna().to_numpy(), \
        leads["last_contact"].notna().to_numpy()
    latest = np.where(has_last, last, first)
    has_latest = has_last | has_first
    # Follow-ups: the leads' own due dates.
    late = leads["days_late"]
    follow = (owner & np.isin(status, (ACTIVE, DORMANT)) & leads["next_due"].notna().to_numpy()
              & late.notna().to_numpy()
              & (late.fillna(-(1 << 30)) >= -list_days).to_numpy(dtype=bool))
    followups = pd.DataFrame({"lead": position[follow], "order": 0,
                              "task": TaskName.FOLLOWUP.code,
                              "day": _days(leads["next_due"])[follow]})
    followups["kind"] = FOLLOWUP
    reason = leads["reason"].to_numpy(dtype=object)
    due_why = leads["due_why"].to_numpy(dtype=object)
    sep = Rule.REASON_AND_DUE.say(lang, reason="", due="")  # "{reason}; {due}"
    why = np.where(due_why != "", reason + sep + due_why, reason)
    followups["why"] = why[follow]
    # Care of won customers, from the delivery (else the latest contact) and birthday.
    won = owner & (status == WON)
    delivery = leads["delivery_date"].notna().to_numpy()
    delivered = np.where(delivery, _days(leads["delivery_date"]), latest)
    has_delivered = delivery | has_latest
    care = care_tasks(position[won], delivered[won], has_delivered[won],
                      _days(leads["birthday"])[won], leads["birthday"].notna().to_numpy()[won],
                      as_of, list_days)
    care = care.assign(kind=CARE)
    care_why = np.full(len(leads), "", dtype=object)
    said = won & has_delivered
    care_why[said] = _said_per_day(delivered[said],
                                   lambda d: Rule.DELIVERED.say(lang, date=d))
    care["why"] = care_why[care["lead"].to_numpy()]
    # The review of lost leads, from the day of the loss.
    lost = owner & (status == LOST)
    lost_date = leads["lost_date"].notna().to_numpy()
    lost_on = np.where(lost_date, _days(leads["lost_date"]), latest)
    dated = lost & (lost_date | has_latest)
    reviews = lost_reviews(position[dated], lost_on[dated], as_of, list_days).assign(kind=REVIEW)
    review_why = np.full(len(leads), "", dtype=object)
    unfilled = Rule.NOT_FILLED.say(lang)
    reviewed = reviews["lead"].to_numpy()
    for i, day, why_lost in zip(reviewed.tolist(), _iso(lost_on[reviewed]),
                                _or(leads["lost_reason"], unfilled)[reviewed].tolist(),
                                strict=True):
        review_why[i] = Rule.LOST_ON.say(lang, date=day, reason=why_lost)
    reviews["why"] = review_why[reviews["lead"].to_numpy()]
    # Care and reviews are listed until done, then missed; follow-ups are listed.
    kept = pd.concat([care, reviews], ignore_index=True)
    at = kept["lead"].to_numpy()
    state = task_states(kept, latest[at], has_latest[at], as_of, list_days)
    listed = pd.concat([followups, kept[state == LISTED]], ignore_index=True)
    listed = listed.sort_values(["lead", "day", "order"], kind="mergesort")
    missed = _missed(leads, kept[state == MISSED].sort_values(["lead", "day", "order"],
                                                              kind="mergesort"))
    return _task_table(leads, listed, as_of), missed


def _task_table(leads: pd.DataFrame, listed: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The listed tasks as the week's work, most urgent first per consultant."""
    if listed.empty:
        empty: pd.DataFrame = pd.DataFrame([], columns=TASK_COLUMNS)
        return empty
    at = listed["lead"].to_numpy()
    rows = leads.iloc[at]
    day = listed["day"].to_numpy()
    late = day_number(as_of) - day
    phones = rows["phone"]
    masked = {p: mask_phone(p) for p in phones.dropna().unique()}
    follow = (listed["kind"] == FOLLOWUP).to_numpy()
    frame = pd.DataFrame({
        "consultant": _or(rows["consultant"], NO_CONSULTANT),
        "kind": listed["kind"].to_numpy(),
        "task": listed["task"].to_numpy(),
        "due": [date_of(int(n)) for n in day],
        "days_late": late.astype(np.int64),
        "bucket": buckets(late),
        "escalation": np.where(follow, rows["escalation"].to_numpy(), ""),
        "name": _or(rows["name"], ""),
        "phone": _or(phones, ""),
        "phone_masked": [masked.get(p, "") if p else "" for p in phones.tolist()],
        "grade": rows["grade"].to_numpy(),
        "model": _or(rows["model"], ""),
        "source": _or(rows["source"], ""),
        "reason": listed["why"].to_numpy(),
        "file": rows["file"].to_numpy(),
        "sheet": rows["sheet"].to_numpy(),
        "row": rows["row"].to_numpy(),
    }, columns=TASK_COLUMNS)
    ordered: pd.DataFrame = frame.sort_values(
        ["consultant", "days_late", "due", "file", "row"],
        ascending=[True, False, True, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    return ordered


def _missed(leads: pd.DataFrame, missed: pd.DataFrame) -> list[Issue]:
    """One warning for each care or review task no contact did in time."""
    at = missed["lead"].to_numpy()
    columns = {name: leads[name].to_numpy()[at].tolist()
               for name in ("consultant", "name", "phone", "file", "sheet", "row")}
    issues: list[Issue] = []
    masked = {c: mask_text(c) for c in set(columns["consultant"]) if c}  # a hundred or so
    for k, (task, day) in enumerate(zip(missed["task"].tolist(), missed["day"].tolist(),
                                        strict=True)):
        consultant, name = columns["consultant"][k], columns["name"][k]
        who = masked[consultant] if consultant else Part.NO_CONSULTANT
        customer = " ".join(p for p in (name, mask_phone(columns["phone"][k])) if p)
        issues.append(Issue(
            columns["file"][k], columns["sheet"][k], int(columns["row"][k]), None, None,
            IssueCode.TASK_MISSED,
            said(task=TASK_NAMES.get(task, task),
                 day=iso(int(day)),
                 days=TASK_OPEN_DAYS, consultant=who,
                 customer=mask_text(customer) if customer else Part.NO_CUSTOMER),
            Severity.WARNING))
    return issues


def followup_counts(tasks: pd.DataFrame) -> dict[str, Any]:
    """summary.json's ``followups`` (domain.md §8) from the week's work.

    Of the follow-ups: ``due`` days_late ≥ 0, ``overdue`` > 0, ``upcoming`` < 0
    (within list_days: the list holds nothing later); ``care`` and
    ``lost_review`` count those tasks on the list; ``by_kind`` splits all three;
    ``by_consultant`` counts the follow-ups of each consultant with any.
    """
    kind = tasks["kind"].to_numpy()
    late = tasks["days_late"].to_numpy(dtype=np.float64, na_value=np.nan)

    def split(where: np.ndarray) -> dict[str, int]:
        days = late[where]
        return {"due": int((days >= 0).sum()), "overdue": int((days > 0).sum()),
                "upcoming": int((days < 0).sum())}

    kinds = {k: split(kind == k) for k in (FOLLOWUP, CARE, REVIEW)}
    follow = kind == FOLLOWUP
    # each consultant's follow-ups counted at once: codes in name order (no name: -1)
    codes, names = pd.factorize(tasks["consultant"].to_numpy()[follow], sort=True)
    days, named = late[follow], codes >= 0
    counts = {word: np.bincount(codes[named & on], minlength=len(names))
              for word, on in (("due", days >= 0), ("overdue", days > 0), ("upcoming", days < 0))}
    by_consultant = {str(who): {word: int(n[i]) for word, n in counts.items()}
                     for i, who in enumerate(names.tolist())}
    return {
        **kinds[FOLLOWUP],
        "care": int((kind == CARE).sum()),
        "lost_review": int((kind == REVIEW).sum()),
        "by_kind": kinds,
        "by_consultant": by_consultant,
    }


SCHEDULE_BUCKETS = (OVERDUE, *(word for _, word in BUCKETS), LATER)
SCHEDULE_COLUMNS = ["consultant", "grade", *SCHEDULE_BUCKETS, "total"]


def schedule_table(leads: pd.DataFrame, grades: Sequence[str]) -> pd.DataFrame:
    """日程: per consultant and grade, how many leads fall due in each bucket, from the
    leads' table (leadbook.frames).

    Every scheduled active or dormant lead counts, however far its next due
    date; one due today counts as 紧急 (within 7 days).
    """
    scheduled = leads[~leads["duplicate"].to_numpy() & leads["days_late"].notna().to_numpy()]
    who = filled(scheduled["consultant"], NO_CONSULTANT)
    word = scheduled["bucket"].where(scheduled["bucket"] != TODAY, BUCKETS[0][1])
    counts = pd.crosstab([who.to_numpy(), scheduled["grade"].to_numpy()], word.to_numpy())
    counts = counts.reindex(columns=list(SCHEDULE_BUCKETS), fill_value=0)
    order = {g: i for i, g in enumerate(grades)}
    keys = sorted(counts.index, key=lambda k: (k[0], order.get(k[1], len(order)), k[1]))
    at = {key: i for i, key in enumerate(counts.index)}
    values = counts.to_numpy().tolist()
    rows = []
    for key in keys:
        row = dict(zip(SCHEDULE_BUCKETS, values[at[key]], strict=True))
        rows.append({"consultant": key[0], "grade": key[1], **row, "total": sum(row.values())})
    table: pd.DataFrame = pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)
    return table
