"""The rules' words in Chinese and English: why a lead has its grade and its due date,
the hints on its annotated row, and the names of the tasks, buckets and flags.

The rules (grading, schedule, worklist) say these in the language the run gives
them (Phrase.say: they are made for every lead), for 原因 in the due lists and
提示 and the grade note in the annotated copy; ownership's notes are words the
annotated copy renders. The task, bucket and flag names are stable codes in the
task table and the history; leadbook.labels shows them.
"""

from __future__ import annotations

from .texts import Phrase


class TaskName(Phrase):
    """What a task of the week's work is (domain.md §3): follow-up, care, lost review."""

    FOLLOWUP = "followup", "跟进", "Follow-up"
    THANK_YOU_LETTER = "thank_you_letter", "感谢信", "Thank-you letter"
    MANAGER_CALL = "manager_call", "经理致电", "Manager call"
    CONSULTANT_CALL = "consultant_call", "顾问回访", "Consultant call"
    SERVICE_REMINDER = "service_reminder", "保养提醒", "Service reminder"
    BIRTHDAY = "birthday", "生日关怀", "Birthday"
    ANNIVERSARY = "anniversary", "购车周年", "Purchase anniversary"
    LOST_REVIEW = "lost_review", "战败回访", "Lost review call"


class Bucket(Phrase):
    """How soon a lead falls due (parts-trade article): overdue, today, then by days ahead."""

    OVERDUE = "overdue", "逾期", "Overdue"
    TODAY = "today", "今日", "Today"
    URGENT = "urgent", "紧急", "Urgent (7 days)"
    SOON = "soon", "缓急", "Soon (30 days)"
    LATER = "later", "不紧急", "Later (90 days)"
    NO_RUSH = "no_rush", "可慢反应", "No rush"


class Flag(Phrase):
    """An escalation for the manager (domain.md §3)."""

    MANAGER = "manager", "经理关注", "Manager attention"
    QUASI_LOST = "quasi_lost", "建议准战败", "Suggest quasi-lost"


class Rule(Phrase):
    """Why a lead has its grade and due date, and the hints on its row."""

    # Flags on a lead's row (grading)
    PASSED = (
        "purchase_passed", "预计购车时间已过, 请重新确认",
        "the expected purchase date has passed: confirm it with the customer")
    REQUALIFY = (
        "requalify", "已到预计购车时间下限, 请重新确认",
        "the earliest purchase date said has come: confirm it with the customer")
    NO_HORIZON = "no_horizon", "未填预计购车时间", "no purchase horizon (预计购车时间)"
    # Why the grade (grading.grade_leads, domain.md §2)
    WON = "graded_won", "状态为成交 → O", "status won → O"
    LOST = "graded_lost", "状态为战败 → F", "status lost → F"
    INVALID = (
        "graded_invalid", "无效线索, 不计入漏斗和成本",
        "invalid lead, counted neither in the funnel nor in the cost")
    NO_NEED = (
        "graded_no_need", "预计购车时间 {horizon} (无购买需求) → {grade}{note}",
        "purchase horizon {horizon} (no need to buy) → {grade}{note}")
    QUASI_NOTE = "quasi_note", ", 建议准战败", ", suggest quasi-lost (准战败)"
    NOT_CONVERTED = (
        "horizon_not_converted", "预计购车时间 {horizon} 无法换算",
        "purchase horizon {horizon} cannot be turned into a date")
    SINCE = "since", " (自 {date})", " (from {date})"
    HORIZON_PASSED = (
        "graded_passed", "预计购车时间 {horizon}{since} → {expected}, 已过 {days} 天 → {grade} ({flag})",
        "purchase horizon {horizon}{since} → {expected}, passed {days} days ago → {grade} ({flag})")
    HORIZON_WITHIN = (
        "graded_within", "预计购车时间 {horizon}{since} → {expected}, 距今 {days} 天 → {grade}",
        "purchase horizon {horizon}{since} → {expected}, {days} days from now → {grade}")
    KEEP_RECORDED = (
        "graded_kept", "{flag}, 保留原级别 {grade}", "{flag}: the recorded grade {grade} is kept")
    NOT_IN_SCHEME = (
        "grade_not_in_scheme", "原级别 {grade} 不在本店分级中, ",
        "the recorded grade {grade} is not one of the store's, ")
    GRADED_NEW = (
        "graded_new", "{flag}, {was}定为 N (新线索待定级)",
        "{flag}: {was}graded N (a new lead, to be graded)")
    BEYOND_ANY = "graded_beyond_any", "预计购车时间 {horizon} → {grade}", "purchase horizon {horizon} → {grade}"
    BEYOND = (
        "graded_beyond", "预计购车时间 {horizon} (自 {base}, 不早于 {earliest}) → {grade}",
        "purchase horizon {horizon} (from {base}, not before {earliest}) → {grade}")
    WITH_FLAG = "with_flag", "{reason} ({flag})", "{reason} ({flag})"
    # How the next due date was set (schedule.due_leads)
    NEW_LEAD = (
        "due_new_lead", "新线索, 首次接触 {date} 次日跟进",
        "new lead: follow up the day after the first contact, {date}")
    CADENCE = (
        "due_cadence", "最近跟进 {date} + {days} 天 ({grade}级周期)",
        "latest contact {date} + {days} days (grade {grade} cadence)")
    CADENCE_DORMANT = (
        "due_cadence_dormant", "最近跟进 {date} + {days} 天 (休眠级周期)",
        "latest contact {date} + {days} days (dormant cadence)")
    AGREED = (
        "due_agreed", "按约定下次跟进日期 {date}", "the next contact date agreed, {date}")
    # A task's 原因 (worklist.build_tasks)
    REASON_AND_DUE = "reason_and_due", "{reason}; {due}", "{reason}; {due}"
    DELIVERED = "delivered", "交车 {date}", "delivered {date}"
    LOST_ON = (
        "lost_on", "战败 {date}, 原因: {reason}; 消除虚假战败",
        "lost {date}, reason: {reason}; call to undo a false loss (消除虚假战败)")
    NOT_FILLED = "not_filled", "未填", "not filled in"
    # Hints on the annotated row (worklist.apply_rules, ownership)
    GRADE_CHANGED = "grade_changed", "级别 {change}: {reason}", "grade {change}: {reason}"
    NEWLY_GRADED = "newly_graded", "新定 {grade}", "first graded {grade}"
    OVERDUE_DAYS = "overdue_days", "已逾期 {days} 天", "{days} days overdue"
    DUE_TODAY = "due_today", "今日应跟进", "due today"
    STALE = (
        "stale", "{flag}: 超过 {factor} 个跟进周期未联系或预计购车时间已过 30 天以上",
        "{flag}: no contact for more than {factor} cadences, or the expected purchase date "
        "passed more than 30 days ago")
    LATE_CYCLE = (
        "late_cycle", "{flag}: 逾期超过一个跟进周期 ({days} 天)",
        "{flag}: overdue by more than one cadence ({days} days)")
    CONFLICT_NOTE = (
        "conflict_note", "撞单: {consultant} 在 {where} 重复登记",
        "ownership conflict (撞单): {consultant} registered the customer again in {where}")
    REPEAT_NOTE = "repeat_note", "重复登记: 另见 {where}", "registered again: see {where}"


__all__ = ["Bucket", "Flag", "Rule", "TaskName"]
