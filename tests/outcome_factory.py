"""A realistic Outcome built by hand, for the writer tests.

Three consultants and 30 tasks (follow-ups, care, lost reviews) around the
as-of date 2026-11-22; the training deck's rates (domain.md §5) on a week's
cohort; and the hostile values the writers must keep as text or escape: a
customer called "+SUM(1,2)", one called "<script>…", an issue whose value is
"=HYPERLINK(…)".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from leadbook.model import Issue, Outcome, Severity
from leadbook.rule_words import Bucket, Flag, TaskName
from leadbook.texts import Phrase
from leadbook.worklist import followup_counts

AS_OF = dt.date(2026, 11, 22)
START, END = dt.date(2026, 11, 16), dt.date(2026, 11, 22)
CONSULTANTS = ("张伟", "李娜", "王磊/二组")
SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAME = "+SUM(1,2)"
HYPERLINK_VALUE = '=HYPERLINK("http://example.invalid","点我")'

TASK_COLUMNS = [
    "consultant", "kind", "task", "due", "days_late", "bucket", "escalation", "name", "phone",
    "phone_masked", "grade", "model", "source", "reason", "file", "sheet", "row",
]

FUNNEL = {"traffic": 200, "kept": 80, "followed": 60, "deals": 12,
          "keep_rate": 0.4, "follow_rate": 0.75, "convert_rate": 0.2}
COST = {"spend": 104000.0, "cost_per_lead": 1300.0, "lost": 36, "lost_share": 0.45,
        "lost_cost": 46800.0}

# (consultant, kind, task, days_late, escalation, grade) — sorted like the pipeline:
# consultant, then most urgent first.
_PLAN: list[tuple[str, str, str, int, str, str]] = [
    ("张伟", "followup", "跟进", 16, "建议准战败", "B"),
    ("张伟", "followup", "跟进", 9, "经理关注", "A"),
    ("张伟", "followup", "跟进", 3, "", "A"),
    ("张伟", "lost_review", "战败回访", 1, "", "F"),
    ("张伟", "care", "感谢信", 0, "", "O"),
    ("张伟", "care", "经理致电", 0, "", "O"),
    ("张伟", "followup", "跟进", 0, "", "N"),
    ("张伟", "followup", "跟进", -2, "", "A"),
    ("张伟", "care", "生日关怀", -5, "", "O"),
    ("李娜", "followup", "跟进", 31, "建议准战败", "C"),
    ("李娜", "followup", "跟进", 5, "", "A"),
    ("李娜", "care", "顾问回访", 2, "", "O"),
    ("李娜", "followup", "跟进", 0, "", "B"),
    ("李娜", "lost_review", "战败回访", 0, "", "F"),
    ("李娜", "care", "保养提醒", -3, "", "O"),
    ("李娜", "followup", "跟进", -6, "", "A"),
    ("李娜", "care", "购车周年", -7, "", "O"),
    ("王磊/二组", "followup", "跟进", 20, "经理关注", "B"),
    ("王磊/二组", "followup", "跟进", 1, "", "A"),
    ("王磊/二组", "followup", "跟进", 0, "", "A"),
    ("王磊/二组", "lost_review", "战败回访", -1, "", "F"),
    ("王磊/二组", "followup", "跟进", -4, "", "B"),
]
_NAMES = ["刘洋", "陈静", FORMULA_NAME, "杨帆", "赵磊", SCRIPT_NAME, "黄丽", "周杰", "吴敏", "徐强"]
_MODELS = ["卡罗拉 1.5L", "RAV4荣放", "凯美瑞", "汉兰达"]
_SOURCES = ["汽车之家", "懂车帝", "展厅到店", "老客户转介绍"]


# The pipeline's task table holds codes (leadbook.rule_words); the plan above says
# the words, as the report shows them.
CODES = {p.zh: p.code for p in (*TaskName, *Bucket, *Flag)}


class HandMade(Phrase):
    """The issues of this outcome, as the writers get them: a code and its words."""

    PHONE = "bad_phone", "联系电话无法识别", "Phone unreadable"
    HORIZON = "bad_horizon", "预计购车时间无法识别", "Purchase horizon unreadable"
    CONFLICT = "ownership_conflict", "撞单: 同一客户已由 {owner} 先报备, 先报备者负责", "Ownership conflict: {owner} registered the customer first"
    UNREADABLE = "unreadable", "文件已损坏, 无法打开", "The file is damaged and cannot be opened"
    CROSSCHECK = "crosscheck_kept", "日报核对: 李娜 2026-11-17 日报留档 5, 当天建卡 3, 相差 2", "Daily check: 李娜 2026-11-17 reported 5 kept, 3 cards, difference 2"


class HandMadeToo(Phrase):
    """A second message under a code already used above (an enum's values are unique)."""

    PHONE_VALUE = "bad_phone", "联系电话无法识别: {value}", "Phone unreadable: {value}"


def bucket(days_late: int) -> str:
    if days_late > 0:
        return CODES["逾期"]
    if days_late == 0:
        return CODES["今日"]
    for limit, word in ((7, "紧急"), (30, "缓急"), (90, "不紧急")):
        if -days_late <= limit:
            return CODES[word]
    return CODES["可慢反应"]


def phone(i: int) -> str:
    return f"1391234{i:04d}"


def masked(full: str) -> str:
    return f"{full[:3]}****{full[-4:]}"


def task_row(i: int, consultant: str, kind: str, task: str, late: int, escalation: str = "",
             grade: str = "A") -> dict[str, Any]:
    full = phone(i)
    reasons = {"followup": "A级 每 7 天跟进; 预计购车时间 3个月内",
               "care": "交车 2026-11-21",
               "lost_review": "战败 2026-11-21, 原因: 价格; 消除虚假战败"}
    return {
        "consultant": consultant, "kind": kind, "task": CODES.get(task, task),
        "due": AS_OF - dt.timedelta(days=late), "days_late": late, "bucket": bucket(late),
        "escalation": CODES.get(escalation, escalation), "name": _NAMES[i % len(_NAMES)], "phone": full,
        "phone_masked": masked(full), "grade": grade, "model": _MODELS[i % len(_MODELS)],
        "source": _SOURCES[i % len(_SOURCES)], "reason": reasons[kind],
        "file": "意向客户管理卡_2026-11.xlsx", "sheet": "意向客户管理卡", "row": 4 + i,
    }


def tasks_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=TASK_COLUMNS)


def make_outcome(lang: str = "zh", *, funnel: dict[str, Any] | None = None,
                 cost: dict[str, Any] | None = None,
                 tasks: pd.DataFrame | None = None) -> Outcome:
    funnel = dict(FUNNEL if funnel is None else funnel)
    cost = dict(COST if cost is None else cost)
    if tasks is None:
        tasks = tasks_frame([task_row(i, *plan) for i, plan in enumerate(_PLAN)])
    channels = pd.DataFrame(
        [
            {"source": "汽车之家", "leads": 32, "won": 5, "lost": 14, "conversion": 5 / 32,
             "spend": 48000.0, "cost_per_lead": 1500.0, "cost_per_deal": 9600.0,
             "lost_cost": 21000.0},
            {"source": "懂车帝", "leads": 24, "won": 3, "lost": 12, "conversion": 0.125,
             "spend": 36000.0, "cost_per_lead": 1500.0, "cost_per_deal": 12000.0,
             "lost_cost": 18000.0},
            {"source": "展厅到店", "leads": 16, "won": 3, "lost": 6, "conversion": 0.1875,
             "spend": 20000.0, "cost_per_lead": 1250.0, "cost_per_deal": 20000.0 / 3,
             "lost_cost": 7500.0},
            {"source": "老客户转介绍", "leads": 8, "won": 1, "lost": 4, "conversion": 0.125,
             "spend": None, "cost_per_lead": None, "cost_per_deal": None, "lost_cost": None},
        ],
        columns=["source", "leads", "won", "lost", "conversion", "spend", "cost_per_lead",
                 "cost_per_deal", "lost_cost"],
    )
    consultants = pd.DataFrame(
        [
            _consultant("张伟", 80, 32, 25, 5, [6, 4, 2, 1, 1], 7, 4, 0.7),
            _consultant("李娜", 70, 28, 20, 4, [4, 5, 3, 0, 0], 5, 3, 0.75),
            _consultant("王磊/二组", 50, 20, 15, 3, [3, 2, 2, 1, 0], 3, 2, 0.8),
        ]
    )
    lost = pd.DataFrame(
        [
            {"consultant": c, "name": n, "source": s, "model": "凯美瑞", "lost_reason": r,
             "competitor": k, "lost_on": d, "file": "意向客户管理卡_2026-11.xlsx",
             "sheet": "意向客户管理卡", "row": row}
            for row, (c, n, s, r, k, d) in enumerate(
                [
                    ("张伟", "孙悦", "汽车之家", "价格", "本田雅阁", dt.date(2026, 11, 18)),
                    ("张伟", FORMULA_NAME, "懂车帝", "价格", "日产天籁", dt.date(2026, 11, 19)),
                    ("李娜", "马超", "汽车之家", "购买竞品", "本田雅阁", dt.date(2026, 11, 20)),
                    ("李娜", "钱多", "展厅到店", "暂缓购买", "", None),
                    ("王磊/二组", "郑和", "懂车帝", "价格", "大众帕萨特", dt.date(2026, 11, 21)),
                    ("王磊/二组", "冯唐", "老客户转介绍", "", "", dt.date(2026, 11, 17)),
                ],
                start=40,
            )
        ],
        columns=["consultant", "name", "source", "model", "lost_reason", "competitor", "lost_on",
                 "file", "sheet", "row"],
    )
    crosscheck = pd.DataFrame(
        [
            {"consultant": "张伟", "date": dt.date(2026, 11, 17), "reported": 6, "cards": 6,
             "difference": 0},
            {"consultant": "李娜", "date": dt.date(2026, 11, 17), "reported": 5, "cards": 3,
             "difference": 2},
        ],
        columns=["consultant", "date", "reported", "cards", "difference"],
    )
    duplicates = pd.DataFrame(
        [
            {"kind": "conflict", "phone": "13912340002", "phone_masked": "139****0002",
             "owner": "张伟", "consultant": "李娜", "name": FORMULA_NAME,
             "file": "意向客户管理卡_2026-11.xlsx", "sheet": "意向客户管理卡", "row": 60,
             "owner_file": "意向客户管理卡_2026-11.xlsx", "owner_row": 6},
            {"kind": "repeat", "phone": "13912340007", "phone_masked": "139****0007",
             "owner": "张伟", "consultant": "张伟", "name": "周杰",
             "file": "意向客户管理卡_2026-11.xlsx", "sheet": "意向客户管理卡", "row": 61,
             "owner_file": "意向客户管理卡_2026-11.xlsx", "owner_row": 11},
        ],
        columns=["kind", "phone", "phone_masked", "owner", "consultant", "name", "file", "sheet",
                 "row", "owner_file", "owner_row"],
    )
    issues = [
        Issue("意向客户管理卡_2026-11.xlsx", "意向客户管理卡", 12, "联系电话", HYPERLINK_VALUE,
              HandMade.PHONE, (), Severity.WARNING),  # type: ignore[arg-type]
        Issue("意向客户管理卡_2026-11.xlsx", "意向客户管理卡", 15, "联系电话", "13812345678x",
              HandMadeToo.PHONE_VALUE, (("value", "13812345678x"),), Severity.WARNING),  # type: ignore[arg-type]
        Issue("意向客户管理卡_2026-11.xlsx", "意向客户管理卡", 21, "预计购车时间", "过完年再说",
              HandMade.HORIZON, (), Severity.WARNING),  # type: ignore[arg-type]
        Issue("意向客户管理卡_2026-11.xlsx", "意向客户管理卡", 60, None, None,
              HandMade.CONFLICT, (("owner", "张伟"),), Severity.WARNING),  # type: ignore[arg-type]
        Issue("坏文件.xlsx", None, None, None, None, HandMade.UNREADABLE, (),  # type: ignore[arg-type]
              Severity.ERROR),
        Issue("销售活动日报表_2026-11.xlsx", "日报", 5, None, None, HandMade.CROSSCHECK, (),  # type: ignore[arg-type]
              Severity.WARNING),
    ]
    summary = {
        "store": "丰田XX汽车4S店",
        "as_of": AS_OF.isoformat(),
        "period": {"start": START.isoformat(), "end": END.isoformat()},
        "files": [
            {"path": "意向客户管理卡_2026-11.xlsx", "status": "ok", "message": "",
             "sheets": [{"name": "意向客户管理卡", "kind": "leads", "rows": 120}]},
            {"path": "销售活动日报表_2026-11.xlsx", "status": "ok", "message": "",
             "sheets": [{"name": "日报", "kind": "activity", "rows": 21}]},
            {"path": "坏文件.xlsx", "status": "error", "message": "文件已损坏, 无法打开",
             "sheets": []},
        ],
        "leads": {"rows": 122, "total": 120, "new_in_period": 80, "duplicates": 2,
                  "regraded": 17, "by_grade": {"A": 13, "B": 11, "C": 7, "D": 2, "N": 1},
                  "by_status": {"active": 34, "won": 40, "lost": 36, "invalid": 4,
                                "dormant": 6}},
        "followups": followup_counts(tasks),
        "funnel": funnel,
        "cost": cost,
        "issues": [i.as_dict(lang) for i in issues],
    }
    return Outcome(
        store="丰田XX汽车4S店", as_of=AS_OF, period_start=START, period_end=END,
        summary=summary, tasks=tasks, channels=channels, consultants=consultants, lost=lost,
        crosscheck=crosscheck, duplicates=duplicates, issues=issues, lang=lang,
    )


def _consultant(name: str, traffic: int, kept: int, followed: int, deals: int,
                grades: list[int], due: int, overdue: int, on_time: float) -> dict[str, Any]:
    row: dict[str, Any] = {
        "consultant": name, "traffic": traffic, "kept": kept, "keep_rate": kept / traffic,
        "followed": followed, "follow_rate": followed / kept, "deals": deals,
        "convert_rate": deals / followed,
    }
    for grade, n in zip("ABCDN", grades, strict=True):
        row[f"grade_{grade}"] = n
    row.update(due=due, overdue=overdue, upcoming=1, on_time_share=on_time)
    return row
