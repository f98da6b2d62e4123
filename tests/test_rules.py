"""Table-driven rules: hand-set leads at a fixed as-of date (domain.md §2–§3).

Each case gives one lead's status, horizon, recorded grade and dates, and the
grade, next due date, overdue days, escalation and tasks the rules must give.
"""

from __future__ import annotations

import datetime as dt

import pytest
from cards import Card, rule, table
from zh_words import escalation_word, task_word, zh, zh_all

from leadbook.config import PRESETS, Config, parse_config
from leadbook.horizon import add_months, parse_horizon
from leadbook.model import Status
from leadbook.worklist import build_tasks

AS_OF = dt.date(2026, 11, 22)
D = dt.date.fromisoformat


def lead(
    *,
    status: Status = Status.ACTIVE,
    horizon: str | None = None,
    grade: str | None = None,
    first: str | None = None,
    last: str | None = None,
    next_contact: str | None = None,
    delivery: str | None = None,
    birthday: str | None = None,
) -> Card:
    x = Card("cards.xlsx", "卡", 5, 1, name="客户", phone="13812345678", consultant="张伟")
    x.status = status
    x.horizon_text = horizon
    x.horizon = parse_horizon(horizon, as_of=AS_OF) if horizon else None
    x.grade_recorded = grade
    x.first_contact = D(first) if first else None
    x.last_contact = D(last) if last else None
    x.next_contact = D(next_contact) if next_contact else None
    x.delivery_date = D(delivery) if delivery else None
    x.birthday = D(birthday) if birthday else None
    return x


def run(x: Card, scheme: str = "4s", **config: object) -> tuple[Card, list[tuple[str, dt.date]]]:
    cfg = Config(scheme=PRESETS[scheme], **config)  # type: ignore[arg-type]
    rule([x], cfg, AS_OF)
    tasks, _missed = build_tasks(table([x]), AS_OF, cfg.list_days)
    return x, [(task_word(t.task), t.due) for t in tasks.itertuples()]


# (id, scheme, lead kwargs, grade, next due, days late, escalation, tasks)
CASES = [
    # 4s: A ≤ 3 months → 7 days; the reason text of domain.md's example.
    ("4s-A", "4s", dict(horizon="3个月内", grade="A", first="2026-11-01", last="2026-11-18"),
     "A", "2026-11-25", -3, "", [("跟进", D("2026-11-25"))]),
    # A/B boundary: expected exactly 3 calendar months after as-of is still A, a day later B.
    ("4s-A-edge", "4s", dict(horizon="2027-02-22", first="2026-11-20"),
     "A", "2026-11-27", -5, "", [("跟进", D("2026-11-27"))]),
    ("4s-B-edge", "4s", dict(horizon="2027-02-23", first="2026-11-20"),
     "B", "2026-12-05", -13, "", []),  # due after the week's work: in the 日程 counts, not the list
    ("4s-B-overdue", "4s", dict(horizon="半年内", grade="B", first="2026-10-01", last="2026-11-01"),
     "B", "2026-11-16", 6, "", [("跟进", D("2026-11-16"))]),
    ("4s-C", "4s", dict(horizon="一年内", grade="C", first="2026-11-20", last="2026-11-20"),
     "C", "2026-12-20", -28, "", []),  # due after the week's work: in the 日程 counts, not the list
    ("4s-C/D-edge", "4s", dict(horizon="2027-11-22", first="2026-11-22"),
     "C", "2026-12-22", -30, "", []),  # due after the week's work: in the 日程 counts, not the list
    ("4s-D", "4s", dict(horizon="一年以上", grade="C", first="2026-11-22"),
     "D", "2027-02-20", -90, "", []),  # due after the week's work: in the 日程 counts, not the list
    # No need → the scheme's no-need grade.
    ("4s-no-need", "4s", dict(horizon="暂不购买", grade="A", first="2026-11-21"),
     "D", "2027-02-19", -89, "", []),  # due after the week's work: in the 日程 counts, not the list
    # No horizon: a valid recorded grade stays; otherwise N, due the day after first contact.
    ("4s-keep", "4s", dict(grade="B", first="2026-11-10"),
     "B", "2026-11-25", -3, "", [("跟进", D("2026-11-25"))]),
    ("4s-N", "4s", dict(first="2026-11-20"),
     "N", "2026-11-21", 1, "", [("跟进", D("2026-11-21"))]),
    ("4s-N-bad-grade", "4s", dict(grade="H", first="2026-11-22"),
     "N", "2026-11-23", -1, "", [("跟进", D("2026-11-23"))]),
    # Passed expected date → top grade, flagged; passed over 30 days → suggested 准战败.
    ("4s-passed", "4s", dict(horizon="2026-11-01", grade="B", first="2026-10-20", last="2026-11-20"),
     "A", "2026-11-27", -5, "", [("跟进", D("2026-11-27"))]),
    ("4s-passed-30", "4s", dict(horizon="2026-10-23", first="2026-10-20", last="2026-11-20"),
     "A", "2026-11-27", -5, "", [("跟进", D("2026-11-27"))]),
    ("4s-passed-31", "4s", dict(horizon="2026-10-22", first="2026-10-20", last="2026-11-20"),
     "A", "2026-11-27", -5, "建议准战败", [("跟进", D("2026-11-27"))]),
    # A recorded next contact sooner than the cadence is used; one before the latest contact is not.
    ("next-used", "4s", dict(horizon="3个月内", first="2026-11-18", next_contact="2026-11-20"),
     "A", "2026-11-20", 2, "", [("跟进", D("2026-11-20"))]),
    ("next-same-day", "4s", dict(horizon="3个月内", first="2026-11-18", next_contact="2026-11-18"),
     "A", "2026-11-18", 4, "", [("跟进", D("2026-11-18"))]),
    ("next-before-last", "4s", dict(horizon="3个月内", first="2026-11-18", next_contact="2026-11-17"),
     "A", "2026-11-25", -3, "", [("跟进", D("2026-11-25"))]),
    ("next-later", "4s", dict(horizon="3个月内", first="2026-11-18", next_contact="2026-12-01"),
     "A", "2026-11-25", -3, "", [("跟进", D("2026-11-25"))]),
    # Escalation: overdue by exactly one cadence stays on the list; one more day → manager.
    ("overdue-7", "4s", dict(horizon="3个月内", first="2026-11-08"),
     "A", "2026-11-15", 7, "", [("跟进", D("2026-11-15"))]),
    ("overdue-8", "4s", dict(horizon="3个月内", first="2026-11-07"),
     "A", "2026-11-14", 8, "经理关注", [("跟进", D("2026-11-14"))]),
    # No contact for more than stale_factor (3) cadences: 21 days is not stale, 22 is.
    ("stale-21", "4s", dict(horizon="3个月内", first="2026-11-01"),
     "A", "2026-11-08", 14, "经理关注", [("跟进", D("2026-11-08"))]),
    ("stale-22", "4s", dict(horizon="3个月内", first="2026-10-31"),
     "A", "2026-11-07", 15, "建议准战败", [("跟进", D("2026-11-07"))]),
    # Dormant follows the slowest cadence (4s: 90 days).
    ("dormant", "4s", dict(status=Status.DORMANT, horizon="3个月内", first="2026-10-01"),
     "A", "2026-12-30", -38, "", []),  # due after the week's work: in the 日程 counts, not the list
    # habc: H ≤ 7 days → 2, A ≤ 15 → 4, B ≤ 30 → 7, C beyond → 15.
    ("habc-H", "habc", dict(horizon="7天内", first="2026-11-22"),
     "H", "2026-11-24", -2, "", [("跟进", D("2026-11-24"))]),
    ("habc-A", "habc", dict(horizon="8天内", first="2026-11-22"),
     "A", "2026-11-26", -4, "", [("跟进", D("2026-11-26"))]),
    ("habc-A-edge", "habc", dict(horizon="15天内", first="2026-11-22"),
     "A", "2026-11-26", -4, "", [("跟进", D("2026-11-26"))]),
    ("habc-B", "habc", dict(horizon="16天内", first="2026-11-22"),
     "B", "2026-11-29", -7, "", [("跟进", D("2026-11-29"))]),
    ("habc-B-edge", "habc", dict(horizon="30天内", first="2026-11-22"),
     "B", "2026-11-29", -7, "", [("跟进", D("2026-11-29"))]),
    ("habc-C", "habc", dict(horizon="31天内", first="2026-11-22"),
     "C", "2026-12-07", -15, "", []),  # due after the week's work: in the 日程 counts, not the list
    ("habc-no-need", "habc", dict(horizon="不买了", first="2026-11-22"),
     "C", "2026-12-07", -15, "建议准战败", []),  # due after the week's work: in the 日程 counts, not the list
    # parts: A ≤ 1 month → 1 day, B ≤ 3 → 7, C ≤ 6 → 15, D beyond → 30, E no need → 365.
    ("parts-A", "parts", dict(horizon="1个月内", first="2026-11-22"),
     "A", "2026-11-23", -1, "", [("跟进", D("2026-11-23"))]),
    ("parts-B", "parts", dict(horizon="2027-02-22", first="2026-11-22"),
     "B", "2026-11-29", -7, "", [("跟进", D("2026-11-29"))]),
    ("parts-C", "parts", dict(horizon="半年内", first="2026-11-22"),
     "C", "2026-12-07", -15, "", []),  # due after the week's work: in the 日程 counts, not the list
    ("parts-D", "parts", dict(horizon="2027-05-23", first="2026-11-22"),
     "D", "2026-12-22", -30, "", []),  # due after the week's work: in the 日程 counts, not the list
    ("parts-E", "parts", dict(horizon="无需求", first="2026-11-22"),
     "E", "2027-11-22", -365, "", []),  # due after the week's work: in the 日程 counts, not the list
    ("parts-dormant", "parts", dict(status=Status.DORMANT, grade="A", first="2026-11-22"),
     "A", "2027-11-22", -365, "", []),  # due after the week's work: in the 日程 counts, not the list
    # Won: thank-you letter and manager call the day after delivery, consultant call at 7 days.
    ("won-delivered", "4s", dict(status=Status.WON, first="2026-11-01", last="2026-11-19",
                                 delivery="2026-11-21"),
     "O", None, None, "",
     [("感谢信", D("2026-11-22")), ("经理致电", D("2026-11-22")), ("顾问回访", D("2026-11-28"))]),
    # Without 交车日期 the latest contact is the delivery; 2 months on → 保养提醒.
    ("won-2-months", "4s", dict(status=Status.WON, first="2026-09-01", last="2026-09-22"),
     "O", None, None, "", [("保养提醒", D("2026-11-22"))]),
    # A care task not done stays listed, overdue, up to 30 days past its date.
    ("won-reminder-late", "4s", dict(status=Status.WON, first="2026-09-01", last="2026-09-14"),
     "O", None, None, "", [("保养提醒", D("2026-11-14"))]),
    ("won-birthday", "4s", dict(status=Status.WON, first="2026-06-01", last="2026-06-01",
                                birthday="1985-11-29"),
     "O", None, None, "", [("生日关怀", D("2026-11-29"))]),
    ("won-anniversary", "4s", dict(status=Status.WON, first="2025-11-01", delivery="2025-11-15"),
     "O", None, None, "", [("保养提醒", D("2026-11-15")), ("购车周年", D("2026-11-15"))]),
    # Lost: manager review within 3 days of the loss, listed from 7 days ahead until done.
    ("lost-review", "4s", dict(status=Status.LOST, first="2026-11-01", last="2026-11-20"),
     "F", None, None, "", [("战败回访", D("2026-11-23"))]),
    ("lost-window-edge", "4s", dict(status=Status.LOST, first="2026-11-01", last="2026-11-12"),
     "F", None, None, "", [("战败回访", D("2026-11-15"))]),
    ("lost-late", "4s", dict(status=Status.LOST, first="2026-10-01", last="2026-11-11"),
     "F", None, None, "", [("战败回访", D("2026-11-14"))]),
    ("lost-30-late", "4s", dict(status=Status.LOST, first="2026-10-01", last="2026-10-20"),
     "F", None, None, "", [("战败回访", D("2026-10-23"))]),
    ("lost-31-late", "4s", dict(status=Status.LOST, first="2026-10-01", last="2026-10-19"),
     "F", None, None, "", []),
    ("invalid", "4s", dict(status=Status.INVALID, horizon="3个月内", first="2026-11-20"),
     "", None, None, "", []),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    "scheme,kwargs,grade,due,late,escalation,tasks",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_rules_table(scheme, kwargs, grade, due, late, escalation, tasks):
    x, got_tasks = run(lead(**kwargs), scheme)
    assert x.grade == grade
    assert x.next_due == (D(due) if due else None)
    assert x.days_late == late
    assert escalation_word(x.escalation) == escalation
    assert sorted(got_tasks) == sorted(tasks)


def test_reason_text_matches_the_example():
    x, _ = run(lead(horizon="3个月内", grade="B", first="2026-11-01", last="2026-11-18"))
    assert zh(x.reason).startswith("预计购车时间 3个月内 (自 2026-11-18) → 2027-02-18, 距今 88 天 → A")
    assert x.grade_change == "B→A"


def test_passed_date_is_flagged():
    x, _ = run(lead(horizon="2026-11-01", grade="A", first="2026-11-20"))
    assert any("预计购车时间已过" in h for h in zh_all(x.hints))
    assert "已过 21 天" in zh(x.reason)


def test_missing_horizon_is_flagged():
    x, _ = run(lead(grade="C", first="2026-11-20"))
    assert "未填预计购车时间" in zh_all(x.hints)
    assert x.grade_change == ""


def test_relative_horizon_counts_from_first_contact_without_latest():
    x, _ = run(lead(horizon="3个月内", first="2026-08-20"))
    assert x.expected == D("2026-11-20")  # passed two days ago
    assert x.grade == "A"


def test_config_override_replaces_the_preset_table():
    cfg = parse_config(
        {
            "grading": {
                "scheme": "4s",
                "stale_factor": 2,
                "grades": [
                    {"grade": "A", "within_days": 10, "every_days": 3},
                    {"grade": "B", "within_months": 2, "every_days": 10},
                    {"grade": "C", "every_days": 45},
                ],
            }
        }
    )
    assert [g.grade for g in cfg.scheme.grades] == ["A", "B", "C"]
    cases = [("10天内", "A", 3), ("11天内", "B", 10), ("2027-01-22", "B", 10), ("2027-01-23", "C", 45)]
    for text, grade, every in cases:
        x = lead(horizon=text, first="2026-11-22")
        rule([x], cfg, AS_OF)
        assert (x.grade, x.next_due) == (grade, AS_OF + dt.timedelta(days=every)), text
    # stale_factor 2: 2 × 3 days = 6 days without contact is not stale, 7 is.
    x = lead(horizon="10天内", first="2026-11-16")
    rule([x], cfg, AS_OF)
    assert (x.days_late, x.escalation) == (3, "")
    x = lead(horizon="10天内", first="2026-11-15")
    rule([x], cfg, AS_OF)
    assert escalation_word(x.escalation) == "建议准战败"


def test_add_months_clips_to_month_end():
    assert add_months(D("2026-01-31"), 1) == D("2026-02-28")
    assert add_months(D("2024-01-31"), 1) == D("2024-02-29")
    assert add_months(D("2026-11-22"), 3) == D("2027-02-22")
    assert add_months(D("2026-12-15"), 14) == D("2028-02-15")


RULE_FIELDS = ("grade", "reason", "expected", "grade_change", "next_due", "days_late",
               "bucket", "escalation", "due_why", "hints")


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["4s", "habc", "parts"])
def test_the_rules_give_a_lead_the_same_in_a_crowd_as_alone(scheme: str):
    """The rules run over columns of every lead at once: each lead of a mixed inbox
    (every status, horizon form, recorded grade and missing date) gets what it gets
    when it is the only lead."""
    import random

    rng = random.Random(20261122)
    horizons = [None, "3个月内", "半年内", "一年以上", "超过3个月", "半年以后", "两周内",
                "2026-12-20", "2026-10-01", "无需求", "不买了", "一个月", "10天内"]
    days = [None, "2026-11-21", "2026-11-15", "2026-10-20", "2026-08-01", "2025-06-30",
            "2026-11-22", "2024-02-29"]
    crowd = []
    for _ in range(600):
        x = lead(status=rng.choice(list(Status)), horizon=rng.choice(horizons),
                 grade=rng.choice([None, "A", "B", "C", "D", "H", "N", "Z"]),
                 first=rng.choice(days), last=rng.choice(days),
                 next_contact=rng.choice([None, "2026-11-25", "2026-11-10", "2027-03-01"]),
                 delivery=rng.choice(days), birthday=rng.choice([None, "1990-11-30",
                                                                   "1988-02-29"]))
        crowd.append(x)
    config = Config(scheme=PRESETS[scheme])
    alone = [copy_of(x) for x in crowd]
    rule(crowd, config, AS_OF)
    for x in alone:
        rule([x], config, AS_OF)
    for together, single in zip(crowd, alone, strict=True):
        assert [getattr(together, f) for f in RULE_FIELDS] == \
            [getattr(single, f) for f in RULE_FIELDS]
    # every rule was reached: by status, no need, open-ended, passed, within, kept, new
    assert {x.grade for x in crowd} >= {"O", "F", "", "N"}
    reasons = " ".join(x.reason for x in crowd)
    for words in ("无购买需求", "不早于", "已过", "距今", "保留原级别", "定为 N"):
        assert words in reasons, words
    assert any(x.escalation for x in crowd) and any(x.days_late == 0 for x in crowd)
    assert any("→" in x.grade_change for x in crowd)


def copy_of(x: Card) -> Card:
    import copy

    twin = copy.copy(x)
    twin.found, twin.hints = list(x.found), list(x.hints)
    return twin
