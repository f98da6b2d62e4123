"""The history's words: messages in both languages and the terminal's line.

No database here: the command line imports this at start-up.
"""

from __future__ import annotations

from typing import Any

from ..texts import Phrase

# The terminal's line (the warnings are leadbook.issue_codes: vanished_lead,
# history_unavailable).
MESSAGES = {
    "zh": {
        "line": "跟进完成 {done}/{listed} ({rate}) · 消失线索 {vanished} · "
                "升级 {upgraded} 降级 {downgraded}",
        "first": "历史: 本店首次记录 (上次记录: 无), 下次运行起与本次比较",
    },
    "en": {
        "line": "Follow-through {done}/{listed} ({rate}) · vanished leads {vanished} · "
                "upgraded {upgraded} downgraded {downgraded}",
        "first": "History: the store's first run kept; the next run compares with it",
    },
}


class HistoryWhy(Phrase):
    """Why a history cannot be opened or used (history.store.HistoryError)."""

    NO_FILE = "no_history_file", "没有历史记录文件 {file}", "there is no history file {file}"
    BAD_ADDRESS = (
        "bad_history_address",
        "无法识别的历史记录地址 {location}; 请写成文件名, 或 postgresql://用户@主机/库",
        "the history address {location} is not one leadbook knows; give a file name or "
        "postgresql://user@host/db")
    UNREADABLE_ADDRESS = (
        "unreadable_address", "(地址无法识别)", "(an address leadbook cannot read)")
    EMPTY = "no_history_in", "{location} 里没有历史记录", "{location} holds no history"
    NEWER = (
        "newer_history",
        "历史记录 {location} 的格式 (第 {found} 版) 比本程序新 (第 {known} 版); 请升级 leadbook",
        "the history {location} is of a newer format (version {found}) than this leadbook "
        "knows (version {known}); upgrade leadbook")
    KEY_UNREADABLE = (
        "key_unreadable", "历史记录的密钥文件 {path} 无法读取; 请检查它是否完好、能否打开",
        "the history's key file {path} cannot be read; check that it is whole and can be "
        "opened")
    KEY_MISSING = (
        "key_missing",
        "历史记录的密钥文件 {path} 不见了: 没有它, 以往各次的线索无法对应; "
        "请把它放回 {file} 旁边",
        "the history's key file {path} is missing: without it the earlier runs' leads cannot "
        "be matched; put it back beside {file}")
    CLOSED = (
        "connection_closed", "历史记录的数据库连接已关闭",
        "the history's database connection was closed")
    CANNOT_OPEN = (
        "cannot_open_history", "无法打开历史记录 {location}: {reason}",
        "the history {location} cannot be opened: {reason}")
    NO_CONNECTION = (
        "no_connection", "数据库无法连接或文件已损坏",
        "the database cannot be reached or the file is damaged")
    NOT_ALLOWED = (
        "history_not_allowed", "没有读写权限", "leadbook is not allowed to read or write it")
    GONE = "history_gone", "文件或文件夹不存在", "the file or its folder is not there"
    NO_SPACE = "no_space", "磁盘已满", "the disk is full"
    READ_ONLY = "read_only", "磁盘是只读的", "the disk is read-only"
    FAILED = "history_failed", "读写时出错 ({what})", "reading or writing it failed ({what})"


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
