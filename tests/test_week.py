"""The week's work and open-ended horizons (domain.md §2 rule 2, §3).

Hand-set leads at a fixed as-of date: open-ended horizons ("一年以上") in every
preset and a custom table, on both sides of the day their earliest date
passes; care and review tasks done, not done and missed; follow-ups inside and
outside `[followups] list_days`; the counts every output shows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from cards import Card, rule
from cards import table as leads_table
from zh_words import bucket_code, task_word, zh

from leadbook.config import PRESETS, Config, parse_config
from leadbook.grading import REQUALIFY_FLAG
from leadbook.horizon import parse_horizon
from leadbook.model import Status
from leadbook.worklist import build_tasks, followup_counts, schedule_table

AS_OF = dt.date(2026, 11, 22)
D = dt.date.fromisoformat

CUSTOM = parse_config({"grading": {"scheme": "4s", "grades": [
    {"grade": "A", "within_days": 10, "every_days": 3},
    {"grade": "B", "within_months": 2, "every_days": 10},
    {"grade": "C", "every_days": 45},
]}})


def lead(horizon: str | None = None, *, last: str | None = None, first: str = "2025-01-01",
         status: Status = Status.ACTIVE, consultant: str = "张伟", **dates: str) -> Card:
    x = Card("cards.xlsx", "卡", 5, 1, name="客户", phone="13812345678", consultant=consultant)
    x.status = status
    x.horizon_text = horizon
    x.horizon = parse_horizon(horizon, as_of=AS_OF) if horizon else None
    x.first_contact = D(first)
    x.last_contact = D(last) if last else None
    for key, value in dates.items():
        setattr(x, key, D(value))
    return x


def config(scheme: str) -> Config:
    return CUSTOM if scheme == "custom" else Config(scheme=PRESETS[scheme])


# (scheme, horizon, the grade the span takes): "the first grade whose bound lies
# beyond the span as said".
OPEN_ENDED = [
    ("4s", "一年以上", "D"), ("4s", "1年后", "D"), ("4s", "半年以后", "C"),
    ("4s", "半年以上", "C"), ("4s", "超过3个月", "B"), ("4s", "3个月以上", "B"),
    ("4s", "两周以后", "A"),
    ("habc", "一年以上", "C"), ("habc", "超过3个月", "C"), ("habc", "两周以上", "A"),
    ("habc", "一周以上", "A"), ("habc", "20天以后", "B"),
    ("parts", "一年以上", "D"), ("parts", "半年以上", "D"), ("parts", "3个月以上", "C"),
    ("parts", "1个月以上", "B"), ("parts", "两周以后", "A"),
    ("custom", "一周以上", "A"), ("custom", "超过10天", "B"), ("custom", "2个月以上", "C"),
    ("custom", "一年以上", "C"),
]


@pytest.mark.parametrize("scheme,horizon,grade", OPEN_ENDED,
                         ids=[f"{s}-{h}" for s, h, _ in OPEN_ENDED])
def test_open_ended_horizon_takes_the_grade_beyond_its_span(scheme, horizon, grade):
    cfg = config(scheme)
    # Said today, said three days ago, said a month ago: time passing moves nothing up.
    for said in ("2026-11-22", "2026-11-19", "2026-10-22"):
        x = lead(horizon, last=said)
        rule([x], cfg, AS_OF)
        assert x.grade == grade, (said, x.reason)
        # Flagged only once the span said has run (a month is longer than 两周).
        assert (REQUALIFY_FLAG in x.hints) == (x.expected < AS_OF)


def test_one_year_said_three_days_ago_is_d_not_c():
    x = lead("一年以上", last="2026-11-19")
    rule([x], Config(), AS_OF)
    assert x.grade == "D"
    assert zh(x.reason) == "预计购车时间 一年以上 (自 2026-11-19, 不早于 2027-11-19) → D"
    assert x.next_due == D("2027-02-17")  # D's 90 days from the latest contact


# (scheme, horizon, the latest contact on which the earliest date is the as-of date, grade)
EARLIEST = [
    ("4s", "一年以上", "2025-11-22", "D"),
    ("4s", "半年以上", "2026-05-22", "C"),
    ("4s", "3个月以上", "2026-08-22", "B"),
    ("habc", "两周以上", "2026-11-08", "A"),
    ("habc", "一年以上", "2025-11-22", "C"),
    ("parts", "3个月以上", "2026-08-22", "C"),
    ("parts", "1个月以上", "2026-10-22", "B"),
    ("custom", "超过10天", "2026-11-12", "B"),
]


@pytest.mark.parametrize("scheme,horizon,said,grade", EARLIEST,
                         ids=[f"{s}-{h}" for s, h, _, _ in EARLIEST])
def test_earliest_date_passed_keeps_the_grade_and_asks_to_requalify(scheme, horizon, said, grade):
    cfg = config(scheme)
    on_the_day = lead(horizon, last=said)
    rule([on_the_day], cfg, AS_OF)
    assert on_the_day.grade == grade
    assert on_the_day.expected == AS_OF
    assert REQUALIFY_FLAG not in on_the_day.hints
    assert zh(REQUALIFY_FLAG) not in zh(on_the_day.reason)

    day_after = lead(horizon, last=(D(said) - dt.timedelta(days=1)).isoformat())
    rule([day_after], cfg, AS_OF)
    assert day_after.grade == grade  # kept, not moved to the top grade
    assert REQUALIFY_FLAG in day_after.hints
    assert zh(REQUALIFY_FLAG) in zh(day_after.reason)  # 原因 in the call list says so too
    tasks, _ = build_tasks(leads_table([day_after]), AS_OF)
    if len(tasks):
        assert zh(REQUALIFY_FLAG) in tasks.loc[0, "reason"]


def test_follow_ups_listed_within_list_days_only():
    leads = [
        lead("3个月内", last="2026-11-08"),   # A, due 11-15: overdue 7
        lead("3个月内", last="2026-11-15"),   # due 11-22: today
        lead("3个月内", last="2026-11-22"),   # due 11-29: in 7 days
        lead("半年内", last="2026-11-15"),    # B, due 11-30: in 8 days, not this week
    ]
    cfg = Config()
    rule(leads, cfg, AS_OF)
    tasks, _ = build_tasks(leads_table(leads), AS_OF, cfg.list_days)
    assert sorted(tasks["due"]) == [D("2026-11-15"), D("2026-11-22"), D("2026-11-29")]
    counts = followup_counts(tasks)
    assert (counts["due"], counts["overdue"], counts["upcoming"]) == (2, 1, 1)
    assert counts["by_consultant"] == {"张伟": {"due": 2, "overdue": 1, "upcoming": 1}}
    # list_days 10 takes the B lead in; 0 keeps only what is due by today.
    wider = parse_config({"followups": {"list_days": 10}})
    rule(leads, wider, AS_OF)
    assert len(build_tasks(leads_table(leads), AS_OF, wider.list_days)[0]) == 4
    assert len(build_tasks(leads_table(leads), AS_OF, 0)[0]) == 2
    # The full schedule is in the 日程 counts whatever the list holds.
    table = schedule_table(leads_table(leads), ["A", "B", "C", "D"])
    a = table[table["grade"] == "A"].iloc[0]
    b = table[table["grade"] == "B"].iloc[0]
    assert (a[bucket_code("逾期")], a[bucket_code("紧急")], a["total"]) == (1, 2, 3)  # today counts as 紧急
    assert (b[bucket_code("紧急")], b[bucket_code("缓急")], b["total"]) == (0, 1, 1)


def _won(last: str, **dates: str) -> Card:
    return lead(None, last=last, status=Status.WON, **dates)


def _tasks(x: Card) -> tuple[list[tuple[str, dt.date, int]], list[str]]:
    rule([x], Config(), AS_OF)
    tasks, missed = build_tasks(leads_table([x]), AS_OF)
    return ([(task_word(t.task), t.due, t.days_late) for t in tasks.itertuples()],
            [i.message("zh") for i in missed])


def test_care_task_not_done_stays_listed_up_to_30_days():
    # Delivered 10-23: thank-you and manager call 10-24 (29 days late), consultant call 10-30.
    listed, missed = _tasks(_won("2026-10-20", delivery_date="2026-10-23"))
    assert listed == [("感谢信", D("2026-10-24"), 29), ("经理致电", D("2026-10-24"), 29),
                      ("顾问回访", D("2026-10-30"), 23)]
    assert missed == []


def test_care_task_30_days_late_is_missed_and_reported():
    listed, missed = _tasks(_won("2026-10-20", delivery_date="2026-10-22"))
    # 10-23 is 30 days ago (still listed); the day before it would be 31.
    assert ("感谢信", D("2026-10-23"), 30) in listed
    listed, missed = _tasks(_won("2026-10-20", delivery_date="2026-10-21"))
    assert [t for t, _, _ in listed] == ["顾问回访"]  # 10-28, 25 days late
    assert len(missed) == 2
    assert all("2026-10-22" in m and "已错过" in m for m in missed)
    assert all("13812345678" not in m and "138****5678" in m for m in missed)


def test_care_task_done_leaves_the_list():
    # Latest contact 10-25, after the 10-24 thank-you and call: done; the 10-30 call is not.
    listed, missed = _tasks(_won("2026-10-25", delivery_date="2026-10-23"))
    assert listed == [("顾问回访", D("2026-10-30"), 23)]
    assert missed == []
    listed, _ = _tasks(_won("2026-10-30", delivery_date="2026-10-23"))
    assert listed == []


def test_lost_review_done_not_done_and_missed():
    # Lost on 11-10 (战败日期), latest contact the same day: review due 11-13, listed.
    not_done = lead(None, last="2026-11-10", status=Status.LOST, lost_date="2026-11-10")
    assert _tasks(not_done)[0] == [("战败回访", D("2026-11-13"), 9)]
    # A contact after the loss is the review, even before its due day.
    done = lead(None, last="2026-11-11", status=Status.LOST, lost_date="2026-11-10")
    assert _tasks(done) == ([], [])
    # Without 战败日期 the latest contact dates the loss: listed until 30 days, then missed.
    late = lead(None, last="2026-10-10", status=Status.LOST)
    listed, missed = _tasks(late)
    assert listed == []
    assert len(missed) == 1 and "战败回访 应于 2026-10-13" in missed[0]


def test_tasks_counted_apart_by_kind():
    leads = [
        lead("3个月内", last="2026-11-08"),
        _won("2026-11-20", delivery_date="2026-11-21", consultant="李娜"),
        lead(None, last="2026-11-20", status=Status.LOST, consultant="李娜"),
    ]
    rule(leads, Config(), AS_OF)
    tasks, _ = build_tasks(leads_table(leads), AS_OF)
    counts = followup_counts(tasks)
    assert (counts["care"], counts["lost_review"]) == (3, 1)
    assert counts["by_kind"] == {
        "followup": {"due": 1, "overdue": 1, "upcoming": 0},
        "care": {"due": 2, "overdue": 0, "upcoming": 1},
        "lost_review": {"due": 0, "overdue": 0, "upcoming": 1},
    }
    assert list(counts["by_consultant"]) == ["张伟"]  # follow-ups only


def test_the_calendar_on_day_numbers_is_the_calendar_of_dates():
    """The care schedule's month and year arithmetic on columns of day numbers gives the
    days horizon.add_months and date.replace give (month ends clipped, 29 February on
    the 28th in other years)."""
    import numpy as np

    from leadbook import schedule
    from leadbook.horizon import add_months

    days = [dt.date(2023, 12, 1) + dt.timedelta(days=k) for k in range(0, 1200, 7)]
    days += [dt.date(2024, 2, 29), dt.date(2024, 1, 31), dt.date(2023, 8, 31),
             dt.date(1999, 12, 31), dt.date(2000, 2, 29)]
    numbers = np.array([schedule.day_number(d) for d in days])
    for months in (1, 2, 11, 12, 13, 24, 37, 122):
        got = schedule.add_months(numbers, np.full(len(days), months))
        assert [schedule.day_number(add_months(d, months)) for d in days] == got.tolist()
    for year in (2023, 2024, 2025, 2028):
        want = []
        for d in days:
            try:
                want.append(schedule.day_number(d.replace(year=year)))
            except ValueError:
                want.append(schedule.day_number(d.replace(year=year, day=28)))
        assert schedule.same_day_in(numbers, year).tolist() == want


def test_a_missed_care_task_of_a_lead_without_consultant_or_name_says_so():
    """The warning of a missed task names no consultant and no customer in words, never
    a placeholder of the tables (NaN) leadbook counts on."""
    leads = []
    for seq, (consultant, name) in enumerate([(None, None), ("张伟", "王先生")]):
        x = Card("cards.xlsx", "卡", 5 + seq, seq, consultant=consultant, name=name)
        x.status = Status.WON
        x.delivery_date = AS_OF - dt.timedelta(days=45)  # the 7-day call is 38 days late
        leads.append(x)
    rule(leads, Config(), AS_OF)
    _, missed = build_tasks(leads_table(leads), AS_OF)
    said = [m.message("zh") for m in missed]
    assert said and all("nan" not in m for m in said), said
    assert any("(未填顾问)" in m and "未填客户" in m for m in said), said
    assert any("张伟" in m and "王先生" in m for m in said), said
