"""The history's words: messages in both languages and the terminal's line.

No database here: the command line imports this at start-up.
"""

from __future__ import annotations

from typing import Any

MESSAGES = {
    "zh": {
        "vanished": "线索消失: {consultant} 的客户 {phone} ({grade}级, {status}) 上次 ({as_of})"
                    "在 {file} {sheet} 第 {row} 行, 本次不在任何线索卡中; 请核实是否战败或被删除",
        "unavailable": "历史记录未能使用, 本次不与上周比较, 也不记录: {reason}",
        "line": "跟进完成 {done}/{listed} ({rate}) · 消失线索 {vanished} · "
                "升级 {upgraded} 降级 {downgraded}",
        "first": "历史: 本店首次记录 (上次记录: 无), 下次运行起与本次比较",
        "status.active": "跟进中", "status.dormant": "休眠", "status.won": "成交",
        "status.lost": "战败", "status.invalid": "无效",
    },
    "en": {
        "vanished": "Lead vanished: {consultant}'s customer {phone} (grade {grade}, {status}) "
                    "was in {file} {sheet} row {row} last time ({as_of}) and is in no lead "
                    "card now; check whether it was lost or deleted",
        "unavailable": "History not used: this run is neither compared nor kept: {reason}",
        "line": "Follow-through {done}/{listed} ({rate}) · vanished leads {vanished} · "
                "upgraded {upgraded} downgraded {downgraded}",
        "first": "History: the store's first run kept; the next run compares with it",
        "status.active": "active", "status.dormant": "dormant", "status.won": "won",
        "status.lost": "lost", "status.invalid": "invalid",
    },
}


def terminal_line(history: dict[str, Any] | None, lang: str = "zh") -> str | None:
    """One line from summary.json ``history``:
    "跟进完成 41/60 (68%) · 消失线索 3 · 升级 12 降级 5"."""
    if history is None:
        return None
    words = MESSAGES.get(lang, MESSAGES["zh"])
    ft, ch = history["followthrough"], history["leads"]
    if ft is None or ch is None:
        return words["first"]
    rate = "—" if ft["rate"] is None else f"{ft['rate']:.0%}"
    return words["line"].format(done=ft["done"], listed=ft["listed"], rate=rate,
                                vanished=ch["vanished"], upgraded=ch["upgraded"],
                                downgraded=ch["downgraded"])


RUN_COLUMNS = {
    "zh": ("门店", "截至", "统计期", "线索", "应跟进", "逾期", "跟进完成"),
    "en": ("store", "as of", "period", "leads", "due", "overdue", "follow-through"),
}


def runs_table(runs: list[Any], lang: str = "zh") -> str:
    """``leadbook history``: one line per run kept (RunFigures), oldest first per store."""
    head = RUN_COLUMNS.get(lang, RUN_COLUMNS["zh"])
    rows = [list(head)]
    for r in runs:
        period = (f"{r.period_start.isoformat()}…{r.period_end.isoformat()}"
                  if r.period_start and r.period_end else "—")
        if r.followthrough_listed is None:
            ft = "—"
        else:
            rate = "—" if r.followthrough_rate is None else f"{r.followthrough_rate:.0%}"
            ft = f"{r.followthrough_done}/{r.followthrough_listed} ({rate})"
        rows.append([r.store, r.as_of.isoformat(), period, f"{r.leads:,}", f"{r.due:,}",
                     f"{r.overdue:,}", ft])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell + " " * (w - _width(cell))
                       for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def _width(text: str) -> int:
    """Terminal columns: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
