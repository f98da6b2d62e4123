"""Funnel, cost and tables on hand-set records (domain.md §5)."""

from __future__ import annotations

import datetime as dt

import pytest
from cards import Card, own
from cards import table as leads_table
from zh_words import zh_all

from leadbook import metrics
from leadbook.model import Status
from leadbook.record_types import activity_from
from leadbook.worklist import build_tasks

D = dt.date.fromisoformat
PERIOD = metrics.Period(D("2026-11-16"), D("2026-11-22"))


def lead(seq, status=Status.ACTIVE, first="2026-11-17", last=None, source="汽车之家",
         consultant="张伟", phone=None, grade="A") -> Card:
    x = Card("cards.xlsx", "卡", seq + 2, seq, consultant=consultant, source=source,
             phone=phone or f"1380000{seq:04d}")
    x.status = status
    x.first_contact = D(first) if first else None
    x.last_contact = D(last) if last else None
    x.grade = grade
    return x


def act(day, consultant, traffic, kept) -> dict[str, object]:
    return dict(file="daily.xlsx", sheet="日报", row=3, date=D(day), consultant=consultant,
                traffic=traffic, kept=kept)


def test_choose_period():
    acts = [act("2026-10-03", "张伟", 3, 1), act("2026-10-29", "李娜", 2, 1)]
    assert metrics.choose_period(None, None, activity_from(acts), D("2026-11-22")) == metrics.Period(
        D("2026-10-03"), D("2026-10-29"))
    # No activity: the ISO week of the as-of date, Monday to Sunday.
    assert metrics.choose_period(None, None, activity_from([]), D("2026-11-22")) == PERIOD
    assert metrics.choose_period(None, None, activity_from([]), D("2026-11-16")) == PERIOD
    assert metrics.choose_period(D("2026-11-01"), D("2026-11-30"), activity_from(acts), D("2026-11-22")) == \
        metrics.Period(D("2026-11-01"), D("2026-11-30"))


def test_funnel_chain_multiplies_to_deals():
    leads = [
        lead(1, Status.WON),
        lead(2, Status.WON, last="2026-11-20"),
        lead(3, last="2026-11-19"),  # followed
        lead(4, last="2026-11-17"),  # contacted once only: not followed
        lead(5, Status.LOST, last="2026-11-18"),
        lead(6, first="2026-11-10"),  # before the period
        lead(7, Status.INVALID),  # left out
    ]
    acts = [act("2026-11-16", "张伟", 6, 3), act("2026-11-22", "张伟", 4, 2),
            act("2026-11-23", "张伟", 9, 9)]
    f = metrics.funnel(leads_table(leads), activity_from(acts), PERIOD, have_cards=True)
    assert (f["traffic"], f["kept"], f["followed"], f["deals"]) == (10, 5, 4, 2)
    assert f["keep_rate"] == pytest.approx(0.5)
    assert f["follow_rate"] == pytest.approx(0.8)
    assert f["convert_rate"] == pytest.approx(0.5)
    assert f["traffic"] * f["keep_rate"] * f["follow_rate"] * f["convert_rate"] == \
        pytest.approx(f["deals"])
    c = metrics.cost(leads_table(leads), PERIOD, 10_000.0, f["kept"], have_cards=True)
    assert c == {"spend": 10_000.0, "cost_per_lead": 2000.0, "lost": 1, "lost_share": 0.2,
                 "lost_cost": 2000.0}


def test_figures_that_cannot_be_computed_are_none():
    f = metrics.funnel(leads_table([]), activity_from([]), PERIOD, have_cards=False)
    assert f == {"traffic": None, "kept": None, "followed": None, "deals": None,
                 "keep_rate": None, "follow_rate": None, "convert_rate": None}
    c = metrics.cost(leads_table([]), PERIOD, None, None, have_cards=False)
    assert c == {"spend": None, "cost_per_lead": None, "lost": None, "lost_share": None,
                 "lost_cost": None}
    # Without lead cards, kept is the daily report's 留档.
    f = metrics.funnel(leads_table([]), activity_from([act("2026-11-18", "张伟", 7, 3)]), PERIOD, have_cards=False)
    assert (f["traffic"], f["kept"], f["keep_rate"], f["followed"]) == (7, 3, 3 / 7, None)


def test_duplicates_are_not_counted_twice():
    leads = [lead(1, phone="13800000001"), lead(2, phone="13800000001", consultant="李娜"),
             lead(3, phone="13800000001", first="2026-11-16")]
    issues = own(leads)
    assert leads[2].owner is None  # earliest first contact owns the lead
    assert leads[0].owner is leads[2] and leads[0].duplicate_kind == "repeat"
    assert leads[1].owner is leads[2] and leads[1].duplicate_kind == "conflict"
    assert sorted(i.code for i in issues) == ["duplicate_lead", "ownership_conflict"]
    f = metrics.funnel(leads_table(leads), activity_from([]), PERIOD, have_cards=True)
    assert f["kept"] == 1


def test_same_first_contact_earliest_row_owns():
    leads = [lead(1, phone="13800000009", consultant="王强"),
             lead(2, phone="13800000009", consultant="李娜")]
    own(leads)
    assert leads[0].owner is None and leads[1].owner is leads[0]
    assert any("撞单" in h for h in zh_all(leads[1].hints))


def test_channel_table():
    leads = [lead(1, Status.WON), lead(2, Status.LOST), lead(3), lead(4, source="懂车帝"),
             lead(5, Status.WON, source="懂车帝")]
    t = metrics.channel_table(leads_table(leads), PERIOD, 5000.0, {"汽车之家": 3000.0, "懂车帝": 2000.0})
    row = t.set_index("source").loc["汽车之家"]
    assert (row["leads"], row["won"], row["lost"]) == (3, 1, 1)
    assert row["conversion"] == pytest.approx(1 / 3)
    assert row["cost_per_lead"] == pytest.approx(1000.0)
    assert row["cost_per_deal"] == pytest.approx(3000.0)
    assert row["lost_cost"] == pytest.approx(1000.0)
    row = t.set_index("source").loc["懂车帝"]
    assert (row["leads"], row["won"], row["cost_per_deal"]) == (2, 1, 2000.0)


def test_consultant_table_and_crosscheck():
    leads = [lead(1), lead(2, consultant="李娜"), lead(3, consultant="李娜", grade="B")]
    leads[0].days_late = 3
    leads[1].days_late = 0
    leads[2].days_late = -4
    acts = [act("2026-11-17", "张伟", 4, 1), act("2026-11-17", "李娜", 5, 3)]
    as_of = dt.date(2026, 11, 22)
    for x in leads:
        x.next_due = as_of - dt.timedelta(days=x.days_late)
    tasks, _ = build_tasks(leads_table(leads), as_of)
    t = metrics.consultant_table(leads_table(leads), activity_from(acts), PERIOD, ["A", "B", "C", "D"], True,
                                 tasks).set_index("consultant")
    assert t.loc["张伟", "overdue"] == 1 and t.loc["张伟", "on_time_share"] == 0.0
    assert t.loc["李娜", "due"] == 1 and t.loc["李娜", "on_time_share"] == 1.0
    assert t.loc["李娜", "upcoming"] == 1 and t.loc["张伟", "upcoming"] == 0
    assert (t.loc["李娜", "grade_A"], t.loc["李娜", "grade_B"]) == (1, 1)
    assert t.loc["李娜", "keep_rate"] == pytest.approx(2 / 5)
    table, issues, hints = metrics.crosscheck(leads_table(leads), activity_from(acts))
    li = table.set_index("consultant").loc["李娜"]
    assert (li["reported"], li["cards"], li["difference"]) == (3, 2, 1)
    assert [i.code for i in issues] == ["crosscheck_kept"]
    assert "李娜" in issues[0].message("zh")
    assert hints == [(1, issues[0].words)]  # for 李娜's daily-report row
