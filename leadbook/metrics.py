"""The funnel, cost and per-channel / per-consultant tables (domain.md §5).

销量 = 客流量 × 信息留存率 × 跟踪互动率 × 最终转化率 (sales-manager training deck,
seeds/003): traffic × keep_rate × follow_rate × convert_rate = deals.
集客成本 = spend / kept; 战败成本 = 战败数 × 月营销费用 / 月集客量.

Pure: records in, figures and DataFrames out. A figure that cannot be computed
is None (null in summary.json), never a made-up 0.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .grid_activity import STORE_LEVEL
from .issue_codes import IssueCode, Part
from .model import Issue, Severity, Status
from .records import Activity, Lead
from .texts import said
from .worklist import NO_CONSULTANT, followup_counts

UNKNOWN_SOURCE = "(未填来源)"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


def choose_period(
    start: dt.date | None, end: dt.date | None, activity: Sequence[Activity], as_of: dt.date
) -> Period:
    """--from/--to, else the span of the activity dates, else the ISO week of as-of."""
    if start is not None and end is not None:
        return Period(start, end)
    days = [a.date for a in activity if a.date is not None]
    if days:
        return Period(min(days), max(days))
    monday = as_of - dt.timedelta(days=as_of.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def cohort(leads: Sequence[Lead], period: Period) -> list[Lead]:
    """The period's new leads: owners (not repeats), not invalid, first contacted in it."""
    start, end, invalid = period.start, period.end, Status.INVALID
    out = []
    for lead in leads:  # written out: this runs over every lead several times a run
        if lead.owner is not None or lead.status is invalid:
            continue
        day = lead.first_contact or lead.last_contact
        if day is not None and start <= day <= end:
            out.append(lead)
    return out


def was_followed(lead: Lead) -> bool:
    if lead.status is Status.WON:
        return True
    return bool(
        lead.first_contact and lead.last_contact and lead.last_contact > lead.first_contact
    )


def funnel(
    leads: Sequence[Lead], activity: Sequence[Activity], period: Period, have_cards: bool
) -> dict[str, Any]:
    acts = [a for a in activity if a.date in period]
    traffic = _sum(a.traffic for a in acts) if acts else None
    if have_cards:
        new = cohort(leads, period)
        kept: float | None = len(new)
        followed: float | None = sum(1 for lead in new if was_followed(lead))
        deals: float | None = sum(1 for lead in new if lead.status is Status.WON)
    else:
        kept = _sum(a.kept for a in acts) if acts else None
        followed = deals = None
    return {
        "traffic": _num(traffic),
        "kept": _num(kept),
        "followed": _num(followed),
        "deals": _num(deals),
        "keep_rate": ratio(kept, traffic),
        "follow_rate": ratio(followed, kept),
        "convert_rate": ratio(deals, followed),
    }


def cost(
    leads: Sequence[Lead], period: Period, spend: float | None, kept: float | None, have_cards: bool
) -> dict[str, Any]:
    lost = (sum(1 for lead in cohort(leads, period) if lead.status is Status.LOST)
            if have_cards else None)
    share = ratio(lost, kept)
    return {
        "spend": spend,
        "cost_per_lead": ratio(spend, kept),
        "lost": lost,
        "lost_share": share,
        "lost_cost": None if spend is None or share is None else spend * share,
    }


def channel_table(
    leads: Sequence[Lead], period: Period, spend: float | None, by_source: dict[str, float]
) -> pd.DataFrame:
    """By source channel: leads, won, lost, conversion, spend, cost per lead and per deal."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    new = cohort(leads, period)
    for lead in new:
        c = counts[lead.source or UNKNOWN_SOURCE]
        c["leads"] += 1
        c[lead.status.value] += 1
    for channel in by_source:
        counts.setdefault(channel, Counter())
    total = len(new)
    rows = []
    for channel, c in sorted(counts.items(), key=lambda kv: (-kv[1]["leads"], kv[0])):
        n, won, lost = c["leads"], c["won"], c["lost"]
        ch_spend = by_source.get(channel)
        if ch_spend is not None:
            lost_cost = ch_spend * lost / n if n else None
        elif spend is not None and total and not by_source:
            lost_cost = spend * lost / total  # the store's spend shared by lost leads
        else:
            lost_cost = None
        rows.append(
            {
                "source": channel,
                "leads": n,
                "won": won,
                "lost": lost,
                "conversion": ratio(won, n),
                "spend": ch_spend,
                "cost_per_lead": ratio(ch_spend, n),
                "cost_per_deal": ratio(ch_spend, won),
                "lost_cost": lost_cost,
            }
        )
    table: pd.DataFrame = pd.DataFrame(
        rows,
        columns=["source", "leads", "won", "lost", "conversion", "spend", "cost_per_lead",
                 "cost_per_deal", "lost_cost"],
    )
    return table


def consultant_table(
    leads: Sequence[Lead],
    activity: Sequence[Activity],
    period: Period,
    grades: Sequence[str],
    have_cards: bool,
    tasks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """By consultant: traffic, kept, rates, deals, active leads by grade, the week's
    follow-ups (due, overdue, upcoming: counted on ``tasks``, as everywhere), on time."""
    traffic: dict[str, float] = defaultdict(float)
    reported_kept: dict[str, float] = defaultdict(float)
    names: set[str] = set()
    for a in activity:
        if a.date in period:
            who = a.consultant or (STORE_LEVEL if a.store_level else NO_CONSULTANT)
            names.add(who)
            traffic[who] += a.traffic or 0
            reported_kept[who] += a.kept or 0
    new_by: dict[str, list[Lead]] = defaultdict(list)
    for lead in cohort(leads, period):
        new_by[lead.consultant or NO_CONSULTANT].append(lead)
    active_by: dict[str, list[Lead]] = defaultdict(list)
    for lead in leads:
        if not lead.is_duplicate and lead.status is Status.ACTIVE:
            active_by[lead.consultant or NO_CONSULTANT].append(lead)
    week = followup_counts(tasks)["by_consultant"] if tasks is not None and len(tasks) else {}
    names |= set(new_by) | set(active_by) | set(week)
    have_traffic = any(a.date in period for a in activity)
    rows = []
    for who in sorted(names):
        new = new_by.get(who, [])
        kept = len(new) if have_cards else reported_kept.get(who, 0)
        followed = sum(1 for lead in new if was_followed(lead)) if have_cards else None
        deals = sum(1 for lead in new if lead.status is Status.WON) if have_cards else None
        t = traffic.get(who, 0) if have_traffic else None
        active = active_by.get(who, [])
        row: dict[str, Any] = {
            "consultant": who,
            "traffic": t,
            "kept": kept,
            "keep_rate": ratio(kept, t),
            "followed": followed,
            "follow_rate": ratio(followed, kept),
            "deals": deals,
            "convert_rate": ratio(deals, followed),
        }
        by_grade = Counter(lead.grade for lead in active)
        for grade in grades:
            row[f"grade_{grade}"] = by_grade.get(grade, 0)
        scheduled = [lead for lead in active if lead.days_late is not None]
        late_now = sum(1 for lead in scheduled if lead.days_late is not None and lead.days_late > 0)
        counts = week.get(who, {"due": 0, "overdue": 0, "upcoming": 0})
        row.update(counts)
        # Share of follow-ups on schedule: active leads not overdue, of those scheduled.
        row["on_time_share"] = ratio(len(scheduled) - late_now, len(scheduled))
        rows.append(row)
    columns = [
        "consultant", "traffic", "kept", "keep_rate", "followed", "follow_rate", "deals",
        "convert_rate", *[f"grade_{g}" for g in grades], "due", "overdue", "upcoming",
        "on_time_share",
    ]
    frame: pd.DataFrame = pd.DataFrame(rows, columns=columns)
    return frame


def lost_table(leads: Sequence[Lead], period: Period) -> pd.DataFrame:
    """The period's lost leads: of the leads first contacted in the period (the
    cohort the cost counts, so the reasons add up to ``cost.lost``), those lost."""
    rows = [
        {
            "consultant": lead.consultant or NO_CONSULTANT,
            "name": lead.name or "",
            "source": lead.source or UNKNOWN_SOURCE,
            "model": lead.model or "",
            "lost_reason": lead.lost_reason or "",
            "competitor": lead.competitor or "",
            "lost_on": lead.lost_on,
            "file": lead.file,
            "sheet": lead.sheet,
            "row": lead.row,
        }
        for lead in cohort(leads, period)
        if lead.status is Status.LOST
    ]
    table: pd.DataFrame = pd.DataFrame(
        rows,
        columns=["consultant", "name", "source", "model", "lost_reason", "competitor", "lost_on",
                 "file", "sheet", "row"],
    )
    return table


def crosscheck(
    leads: Sequence[Lead], activity: Sequence[Activity]
) -> tuple[pd.DataFrame, list[Issue]]:
    """Σ 留档 in the daily report per consultant per day against the cards created that day."""
    reported: dict[tuple[str, dt.date], float] = defaultdict(float)
    first_row: dict[tuple[str, dt.date], Activity] = {}
    for a in activity:
        who = a.consultant or (STORE_LEVEL if a.store_level and leads else None)
        if a.date is None or who is None or a.kept is None:
            continue
        key = (who, a.date)
        reported[key] += a.kept
        first_row.setdefault(key, a)
    if not reported:
        return pd.DataFrame(columns=["consultant", "date", "reported", "cards", "difference"]), []
    span = (min(d for _, d in reported), max(d for _, d in reported))
    consultants = {c for c, _ in reported}
    cards: Counter[tuple[str, dt.date]] = Counter()
    for lead in leads:
        if lead.consultant in consultants and lead.first_contact is not None:
            if span[0] <= lead.first_contact <= span[1]:
                cards[(lead.consultant, lead.first_contact)] += 1
        if STORE_LEVEL in consultants and lead.first_contact is not None:
            if span[0] <= lead.first_contact <= span[1]:  # a month grid: the whole store's cards
                cards[(STORE_LEVEL, lead.first_contact)] += 1
    rows, issues = [], []
    for key in sorted(set(reported) | set(cards)):
        rep, n = reported.get(key, 0.0), cards.get(key, 0)
        diff = rep - n
        rows.append({"consultant": key[0], "date": key[1], "reported": _num(rep),
                     "cards": n, "difference": _num(diff)})
        if diff:
            at = first_row.get(key)
            who = Part.WHOLE_STORE if key[0] == STORE_LEVEL else key[0]
            issue = Issue(
                at.file if at else "", at.sheet if at else None, at.row if at else None,
                None, None, IssueCode.CROSSCHECK_KEPT,
                said(consultant=who, date=key[1].isoformat(), reported=_num(rep), cards=n,
                     difference=_num(diff)),
                Severity.WARNING)
            issues.append(issue)
            if at is not None:
                at.hints.append(issue.words)
    columns = ["consultant", "date", "reported", "cards", "difference"]
    return pd.DataFrame(rows, columns=columns), issues


def _sum(values: Any) -> float:
    return float(sum(v for v in values if v is not None))


def _num(value: float | None) -> float | int | None:
    """Whole numbers as int (counts read from Excel arrive as floats)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)
