"""The funnel, cost and per-channel / per-consultant tables (domain.md §5).

销量 = 客流量 × 信息留存率 × 跟踪互动率 × 最终转化率 (sales-manager training deck,
seeds/003): traffic × keep_rate × follow_rate × convert_rate = deals.
集客成本 = spend / kept; 战败成本 = 战败数 × 月营销费用 / 月集客量.

Pure: the records as tables in (leadbook.frames: one row per lead, one per
daily-report row), figures and DataFrames out, every count a column operation
(masks, ``groupby``, ``crosstab``). A figure that cannot be computed is None
(null in summary.json), never a made-up 0. Sums of reported numbers are added
in the rows' order, as a person adding the column would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .daycount import date_of
from .days import column_dates as _dates
from .days import column_days as _day_numbers
from .frames import filled
from .grid_activity import STORE_LEVEL
from .issue_codes import IssueCode, Part
from .model import Issue, Severity, Status
from .texts import Words, said
from .worklist import NO_CONSULTANT, followup_counts

UNKNOWN_SOURCE = "(未填来源)"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


def choose_period(
    start: dt.date | None, end: dt.date | None, activity: pd.DataFrame, as_of: dt.date
) -> Period:
    """--from/--to, else the span of the activity dates, else the ISO week of as-of."""
    if start is not None and end is not None:
        return Period(start, end)
    dated = activity["date"].notna().to_numpy()
    if dated.any():
        days = _day_numbers(activity["date"])[dated]
        return Period(date_of(int(days.min())), date_of(int(days.max())))
    monday = as_of - dt.timedelta(days=as_of.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den



ACTIVE, WON, LOST, INVALID = (Status.ACTIVE.value, Status.WON.value, Status.LOST.value,
                              Status.INVALID.value)


def _day(day: dt.date) -> np.datetime64:
    return np.datetime64(day, "s")


def _between(days: pd.Series, period: Period) -> np.ndarray:
    """Days (a datetime64 column) in the period; NaT never is."""
    values = days.to_numpy()
    return np.asarray((values >= _day(period.start)) & (values <= _day(period.end)))


def in_cohort(leads: pd.DataFrame, period: Period) -> np.ndarray:
    """The period's new leads: owners (not repeats), not invalid, first contacted in it
    (or, with no first contact, last contacted in it)."""
    first = leads["first_contact"]
    day = first.where(first.notna(), leads["last_contact"])
    return np.asarray(~leads["duplicate"].to_numpy() & (leads["status"] != INVALID).to_numpy()
                      & _between(day, period))


def followed(leads: pd.DataFrame) -> np.ndarray:
    """Won, or contacted again after the first contact."""
    first, last = leads["first_contact"].to_numpy(), leads["last_contact"].to_numpy()
    return np.asarray((leads["status"] == WON).to_numpy() | (last > first))


def _in_period(activity: pd.DataFrame, period: Period) -> pd.DataFrame:
    chosen: pd.DataFrame = activity[_between(activity["date"], period)]
    return chosen


def _added(values: pd.Series) -> float:
    """The numbers given (empty cells left out), added in order."""
    return float(sum(values.dropna().tolist()))


def funnel(leads: pd.DataFrame, activity: pd.DataFrame, period: Period,
           have_cards: bool) -> dict[str, Any]:
    acts = _in_period(activity, period)
    traffic = _added(acts["traffic"]) if len(acts) else None
    if have_cards:
        new = in_cohort(leads, period)
        kept: float | None = int(new.sum())
        followed_: float | None = int((new & followed(leads)).sum())
        deals: float | None = int((new & (leads["status"] == WON).to_numpy()).sum())
    else:
        kept = _added(acts["kept"]) if len(acts) else None
        followed_ = deals = None
    return {
        "traffic": _num(traffic),
        "kept": _num(kept),
        "followed": _num(followed_),
        "deals": _num(deals),
        "keep_rate": ratio(kept, traffic),
        "follow_rate": ratio(followed_, kept),
        "convert_rate": ratio(deals, followed_),
    }


def cost(leads: pd.DataFrame, period: Period, spend: float | None, kept: float | None,
         have_cards: bool) -> dict[str, Any]:
    lost = (int((in_cohort(leads, period) & (leads["status"] == LOST).to_numpy()).sum())
            if have_cards else None)
    share = ratio(lost, kept)
    return {
        "spend": spend,
        "cost_per_lead": ratio(spend, kept),
        "lost": lost,
        "lost_share": share,
        "lost_cost": None if spend is None or share is None else spend * share,
    }


STATUS_ORDER = tuple(s.value for s in Status)


def lead_counts(leads: pd.DataFrame, period: Period, grades: Sequence[str]) -> dict[str, Any]:
    """summary.json's ``leads``: rows, customers (owners), the period's new ones,
    repeats, re-graded, active customers by grade (the scheme's grades first, then
    any other in the order met) and customers by status."""
    owner = ~leads["duplicate"].to_numpy()
    status = leads["status"].to_numpy()
    active = leads["grade"].to_numpy()[owner & (status == ACTIVE)]
    met = pd.unique(active) if len(active) else []
    counted = pd.Series(active, dtype=object).value_counts()
    by_grade = {g: int(counted.get(g, 0)) for g in grades}
    for g in met:
        by_grade.setdefault(str(g), int(counted[g]))
    statuses = pd.Series(status[owner], dtype=object).value_counts()
    changed = leads["grade_change"].to_numpy(dtype=object)[owner]
    return {
        "rows": len(leads),
        "total": int(owner.sum()),
        "new_in_period": int(in_cohort(leads, period).sum()),
        "duplicates": int((~owner).sum()),
        "regraded": int(sum("→" in c for c in changed)),
        "by_grade": by_grade,
        "by_status": {s: int(statuses.get(s, 0)) for s in STATUS_ORDER},
    }


def _status_counts(keys: pd.Series, status: pd.Series) -> pd.DataFrame:
    """Per key: the leads, and those won and lost."""
    table = pd.crosstab(keys, status).reindex(columns=[WON, LOST], fill_value=0)
    table.insert(0, "leads", keys.value_counts())
    counted: pd.DataFrame = table
    return counted


def channel_table(leads: pd.DataFrame, period: Period, spend: float | None,
                  by_source: dict[str, float]) -> pd.DataFrame:
    """By source channel: leads, won, lost, conversion, spend, cost per lead and per deal."""
    new = leads[in_cohort(leads, period)]
    counts = _status_counts(filled(new["source"], UNKNOWN_SOURCE), new["status"])
    numbers = counts[["leads", WON, LOST]].to_numpy(dtype=np.int64).tolist()
    given = {str(k): (n, won, lost)
             for k, (n, won, lost) in zip(counts.index.tolist(), numbers, strict=True)}
    for channel in by_source:
        given.setdefault(channel, (0, 0, 0))
    total = len(new)
    rows = []
    for channel, (n, won, lost) in sorted(given.items(), key=lambda kv: (-kv[1][0], kv[0])):
        ch_spend = by_source.get(channel)
        if ch_spend is not None:
            lost_cost = ch_spend * lost / n if n else None
        elif spend is not None and total and not by_source:
            lost_cost = spend * lost / total  # the store's spend shared by lost leads
        else:
            lost_cost = None
        rows.append({
            "source": channel, "leads": n, "won": won, "lost": lost,
            "conversion": ratio(won, n), "spend": ch_spend,
            "cost_per_lead": ratio(ch_spend, n), "cost_per_deal": ratio(ch_spend, won),
            "lost_cost": lost_cost,
        })
    table: pd.DataFrame = pd.DataFrame(
        rows,
        columns=["source", "leads", "won", "lost", "conversion", "spend", "cost_per_lead",
                 "cost_per_deal", "lost_cost"],
    )
    return table


def _who(activity: pd.DataFrame) -> pd.Series:
    """A daily-report row's consultant: a month grid's rows are the whole store's."""
    store = pd.Series(np.where(activity["store_level"].to_numpy(), STORE_LEVEL, NO_CONSULTANT),
                      index=activity.index)
    return filled(activity["consultant"], store)


def _sums(values: pd.Series, keys: pd.Series) -> dict[Any, float]:
    """Per key, the numbers (an empty cell as 0) added in the rows' order."""
    filled = values.fillna(0.0)
    numbers = filled.to_numpy()
    return {key: float(sum(numbers[rows].tolist()))
            for key, rows in filled.groupby(keys.to_numpy(), sort=False).indices.items()}


def consultant_table(
    leads: pd.DataFrame,
    activity: pd.DataFrame,
    period: Period,
    grades: Sequence[str],
    have_cards: bool,
    tasks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """By consultant: traffic, kept, rates, deals, active leads by grade, the week's
    follow-ups (due, overdue, upcoming: counted on ``tasks``, as everywhere), on time."""
    acts = _in_period(activity, period)
    who_acts = _who(acts)
    traffic = _sums(acts["traffic"], who_acts)
    reported_kept = _sums(acts["kept"], who_acts)
    owner = filled(leads["consultant"], NO_CONSULTANT)
    new = in_cohort(leads, period)
    won = (leads["status"] == WON).to_numpy()
    per_new = pd.DataFrame({"kept": new, "followed": new & followed(leads), "deals": new & won})
    new_by = per_new[new].groupby(owner[new].to_numpy()).sum()
    active = ~leads["duplicate"].to_numpy() & (leads["status"] == ACTIVE).to_numpy()
    late = leads["days_late"][active]
    actives = pd.DataFrame({"scheduled": late.notna().to_numpy(),
                            "late": (late.fillna(0) > 0).to_numpy()})
    active_owner = owner[active].to_numpy()
    active_by = actives.groupby(active_owner).sum()
    by_grade = pd.crosstab(active_owner, leads["grade"][active].to_numpy())
    week = followup_counts(tasks)["by_consultant"] if tasks is not None and len(tasks) else {}
    names = set(who_acts) | set(new_by.index) | set(active_by.index) | set(week)
    have_traffic = len(acts) > 0
    rows = []
    for who in sorted(names):
        counted = new_by.loc[who] if who in new_by.index else None
        kept = ((int(counted["kept"]) if counted is not None else 0) if have_cards
                else reported_kept.get(who, 0))
        followed_ = (int(counted["followed"]) if counted is not None else 0) if have_cards \
            else None
        deals = (int(counted["deals"]) if counted is not None else 0) if have_cards else None
        t = traffic.get(who, 0) if have_traffic else None
        row: dict[str, Any] = {
            "consultant": who,
            "traffic": t,
            "kept": kept,
            "keep_rate": ratio(kept, t),
            "followed": followed_,
            "follow_rate": ratio(followed_, kept),
            "deals": deals,
            "convert_rate": ratio(deals, followed_),
        }
        graded = by_grade.loc[who] if who in by_grade.index else None
        for grade in grades:
            row[f"grade_{grade}"] = (int(graded[grade]) if graded is not None
                                     and grade in graded.index else 0)
        row.update(week.get(who, {"due": 0, "overdue": 0, "upcoming": 0}))
        # Share of follow-ups on schedule: active leads not overdue, of those scheduled.
        mine = active_by.loc[who] if who in active_by.index else None
        scheduled = int(mine["scheduled"]) if mine is not None else 0
        late_now = int(mine["late"]) if mine is not None else 0
        row["on_time_share"] = ratio(scheduled - late_now, scheduled)
        rows.append(row)
    columns = [
        "consultant", "traffic", "kept", "keep_rate", "followed", "follow_rate", "deals",
        "convert_rate", *[f"grade_{g}" for g in grades], "due", "overdue", "upcoming",
        "on_time_share",
    ]
    frame: pd.DataFrame = pd.DataFrame(rows, columns=columns)
    return frame


def lost_table(leads: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The period's lost leads: of the leads first contacted in the period (the
    cohort the cost counts, so the reasons add up to ``cost.lost``), those lost."""
    lost = leads[in_cohort(leads, period) & (leads["status"] == LOST).to_numpy()]
    # The day a lost lead was lost: its 战败日期, else its latest contact.
    on = lost["lost_date"].where(lost["lost_date"].notna(), lost["last_contact"])
    on = on.where(on.notna(), lost["first_contact"])
    table: pd.DataFrame = pd.DataFrame({
        "consultant": filled(lost["consultant"], NO_CONSULTANT).tolist(),
        "name": filled(lost["name"], "").tolist(),
        "source": filled(lost["source"], UNKNOWN_SOURCE).tolist(),
        "model": filled(lost["model"], "").tolist(),
        "lost_reason": filled(lost["lost_reason"], "").tolist(),
        "competitor": filled(lost["competitor"], "").tolist(),
        "lost_on": _dates(on),
        "file": lost["file"].tolist(),
        "sheet": lost["sheet"].tolist(),
        "row": [int(r) for r in lost["row"]],
    }, columns=["consultant", "name", "source", "model", "lost_reason", "competitor", "lost_on",
                "file", "sheet", "row"])
    return table


def crosscheck(
    leads: pd.DataFrame, activity: pd.DataFrame
) -> tuple[pd.DataFrame, list[Issue], list[tuple[int, Words]]]:
    """Σ 留档 in the daily report per consultant per day against the cards created that
    day; the issues, and for each the position of the daily-report row it is about
    with its words (the annotated copy's 提示)."""
    columns = ["consultant", "date", "reported", "cards", "difference"]
    named = activity["consultant"]
    has_name = (named.notna() & (named != "")).to_numpy()
    grid = activity["store_level"].to_numpy() & (len(leads) > 0)
    usable = ((has_name | grid) & activity["date"].notna().to_numpy()
              & activity["kept"].notna().to_numpy())
    acts = activity[usable]
    if not len(acts):
        empty: pd.DataFrame = pd.DataFrame(columns=columns)
        return empty, [], []
    who = named[usable].where(has_name[usable], STORE_LEVEL).tolist()
    days = _day_numbers(acts["date"]).tolist()
    kept = acts["kept"].tolist()
    reported: dict[tuple[str, int], float] = {}
    first_row: dict[tuple[str, int], int] = {}
    for i, key in enumerate(zip(who, days, strict=True)):  # added in the rows' order
        reported[key] = reported.get(key, 0.0) + kept[i]
        first_row.setdefault(key, i)
    span = (min(days), max(days))
    consultants = set(who)
    card_day = _day_numbers(leads["first_contact"])
    in_span = leads["first_contact"].notna().to_numpy() & (card_day >= span[0]) & (
        card_day <= span[1])
    by_name = in_span & leads["consultant"].isin(consultants).to_numpy()
    cards: dict[tuple[str, int], int] = (
        pd.DataFrame({"who": leads["consultant"][by_name].to_numpy(), "day": card_day[by_name]})
        .groupby(["who", "day"]).size().to_dict())
    if STORE_LEVEL in consultants:  # a month grid: the whole store's cards
        for day, n in pd.Series(card_day[in_span]).value_counts().items():
            key = (STORE_LEVEL, int(day))
            cards[key] = cards.get(key, 0) + int(n)
    positions = np.flatnonzero(usable)
    files, sheets = activity["file"].to_numpy(), activity["sheet"].to_numpy()
    at_rows = activity["row"].to_numpy()
    rows: list[dict[str, Any]] = []
    issues: list[Issue] = []
    hints: list[tuple[int, Words]] = []
    for key in sorted(set(reported) | set(cards)):
        rep, n = reported.get(key, 0.0), int(cards.get(key, 0))
        diff = rep - n
        day = date_of(key[1])
        rows.append({"consultant": key[0], "date": day, "reported": _num(rep),
                     "cards": n, "difference": _num(diff)})
        if diff:
            at = first_row.get(key)
            pos = int(positions[at]) if at is not None else None
            whose = Part.WHOLE_STORE if key[0] == STORE_LEVEL else key[0]
            issue = Issue(
                str(files[pos]) if pos is not None else "",
                sheets[pos] if pos is not None else None,
                int(at_rows[pos]) if pos is not None else None,
                None, None, IssueCode.CROSSCHECK_KEPT,
                said(consultant=whose, date=day.isoformat(), reported=_num(rep), cards=n,
                     difference=_num(diff)),
                Severity.WARNING)
            issues.append(issue)
            if pos is not None:
                hints.append((pos, issue.words))
    table: pd.DataFrame = pd.DataFrame(rows, columns=columns)
    return table, issues, hints


def _sum(values: Any) -> float:
    return float(sum(v for v in values if v is not None))


def _num(value: float | None) -> float | int | None:
    """Whole numbers as int (counts read from Excel arrive as floats)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)
