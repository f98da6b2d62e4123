"""report.xlsx 变化 and 趋势 (domain.md §8, §10), when the history has earlier runs.

变化: follow-through per consultant, the lead changes, the grade transitions
as a before × after table, then the vanished leads and the missed calls with
where each lead sat at the previous run. 趋势: the last 12 runs' figures with
a native line chart. Phones are the history's masked numbers: it keeps no
other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..history.model import date_of
from ..labels import Labels
from ..model import Outcome
from .xlsx_table import (
    Col,
    Formats,
    print_setup,
    title_text,
    write_cell,
    write_table,
    write_title,
)

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "sheet.changes": "变化", "sheet.trend": "趋势",
        "compared": "与上次 ({date}) 相比",
        "block.followthrough": "上次名单上的跟进 (潜客跟进及时率)",
        "block.leads": "线索变化", "block.transitions": "级别变化 (行: 上次, 列: 本次)",
        "block.vanished": "消失的线索 (上次在卡, 本次不在)",
        "block.missed": "未跟进 (上次名单上, 到期未联系, 线索仍在卡)",
        "col.consultant": "销售顾问", "col.listed": "应跟进", "col.done": "已跟进",
        "col.on_time": "按时", "col.missed": "未跟进", "col.rate": "完成率",
        "col.what": "项目", "col.count": "数量", "col.before": "上次 \\ 本次",
        "col.phone": "联系电话", "col.grade": "级别", "col.status": "状态",
        "col.latest": "最近跟进", "col.due": "应跟进日期", "col.file": "上次文件",
        "col.sheet": "上次工作表", "col.row": "上次行号", "col.file_now": "本次文件",
        "col.row_now": "本次行号", "total": "合计", "none": "无",
        "lead.new": "新增", "lead.carried_over": "延续", "lead.vanished": "消失",
        "lead.upgraded": "升级", "lead.downgraded": "降级", "lead.newly_won": "新成交",
        "lead.newly_lost": "新战败", "lead.reopened": "重新激活",
        "trend.as_of": "截至", "trend.traffic": "客流量", "trend.kept": "留档数",
        "trend.deals": "成交数", "trend.cost_per_lead": "集客成本",
        "trend.lost_share": "战败占比", "trend.due": "应跟进", "trend.overdue": "逾期",
        "trend.followthrough_rate": "跟进完成率",
        "chart.counts": "近 12 次: 客流、留档、成交与跟进", "chart.rates": "近 12 次: 比率",
        "status.active": "跟进中", "status.dormant": "休眠", "status.won": "成交",
        "status.lost": "战败", "status.invalid": "无效",
    },
    "en": {
        "sheet.changes": "Changes", "sheet.trend": "Trend",
        "compared": "compared with the previous run ({date})",
        "block.followthrough": "Follow-through of the previous run's list",
        "block.leads": "Lead changes", "block.transitions": "Grade moves (rows: before, "
                                                            "columns: now)",
        "block.vanished": "Vanished leads (in the cards then, not now)",
        "block.missed": "Missed calls (listed, due, not made, lead still in the cards)",
        "col.consultant": "Consultant", "col.listed": "Listed", "col.done": "Done",
        "col.on_time": "On time", "col.missed": "Missed", "col.rate": "Rate",
        "col.what": "What", "col.count": "Count", "col.before": "before \\ now",
        "col.phone": "Phone", "col.grade": "Grade", "col.status": "Status",
        "col.latest": "Latest contact", "col.due": "Due", "col.file": "File then",
        "col.sheet": "Sheet then", "col.row": "Row then", "col.file_now": "File now",
        "col.row_now": "Row now", "total": "Total", "none": "None",
        "lead.new": "New", "lead.carried_over": "Carried over", "lead.vanished": "Vanished",
        "lead.upgraded": "Upgraded", "lead.downgraded": "Downgraded",
        "lead.newly_won": "Newly won", "lead.newly_lost": "Newly lost",
        "lead.reopened": "Re-opened",
        "trend.as_of": "As of", "trend.traffic": "Traffic", "trend.kept": "Kept",
        "trend.deals": "Deals", "trend.cost_per_lead": "Cost per lead",
        "trend.lost_share": "Lost share", "trend.due": "Due", "trend.overdue": "Overdue",
        "trend.followthrough_rate": "Follow-through",
        "chart.counts": "Last 12 runs: traffic, kept, deals and follow-ups",
        "chart.rates": "Last 12 runs: rates",
        "status.active": "active", "status.dormant": "dormant", "status.won": "won",
        "status.lost": "lost", "status.invalid": "invalid",
    },
}
LEAD_KEYS = ("new", "carried_over", "vanished", "upgraded", "downgraded", "newly_won",
             "newly_lost", "reopened")
TREND_COLUMNS = (("as_of", "text"), ("traffic", "count"), ("kept", "count"),
                 ("deals", "count"), ("cost_per_lead", "money"), ("lost_share", "rate"),
                 ("due", "count"), ("overdue", "count"), ("followthrough_rate", "rate"))
COUNT_LINES = (("traffic", "#1F4E79"), ("kept", "#2E75B6"), ("deals", "#548235"),
               ("due", "#BF8F00"), ("overdue", "#C00000"))
RATE_LINES = (("followthrough_rate", "#7030A0"), ("lost_share", "#C00000"))
SPECIAL_ORDER = ("N", "O", "F")  # after the scheme's own grades (domain.md §2)
HEADER_ROW = 1


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["zh"])


def write_history_sheets(wb: Workbook, fmts: Formats, lab: Labels, outcome: Outcome,
                         footer: str) -> None:
    """变化 and 趋势, when the run has history with an earlier run; else nothing."""
    report = outcome.history
    if report is None or report.previous is None:
        return
    w = words(lab.lang)
    if report.followthrough is not None and report.changes is not None:
        ws = wb.add_worksheet(w["sheet.changes"])
        title = title_text(outcome, lab, w["sheet.changes"])
        write_title(ws, 0, f"{title} · {w['compared'].format(date=report.previous.as_of)}",
                    fmts)
        _changes(ws, fmts, w, report)
        print_setup(ws, footer)
    ws = wb.add_worksheet(w["sheet.trend"])
    write_title(ws, 0, title_text(outcome, lab, w["sheet.trend"]), fmts)
    _trend(wb, ws, fmts, w, report.trend)
    print_setup(ws, footer)


def _block(ws: Worksheet, fmts: Formats, row: int, title: str, cols: Sequence[Col],
           rows: Sequence[Sequence[Any]], none: str, widths: Sequence[int]) -> int:
    ws.write_string(row, 0, title, fmts.get("header"))
    return write_table(ws, fmts, row + 1, cols, rows, empty_note=none, main=False,
                       widths=widths) + 1


def _changes(ws: Worksheet, fmts: Formats, w: dict[str, str], report: Any) -> None:
    ft, ch = report.followthrough, report.changes
    widths = [14, 14, 10, 10, 12, 12, 12, 20, 16, 10]
    row = HEADER_ROW
    cols = [Col("c", w["col.consultant"]), Col("l", w["col.listed"], "count"),
            Col("d", w["col.done"], "count"), Col("o", w["col.on_time"], "count"),
            Col("m", w["col.missed"], "count"), Col("r", w["col.rate"], "rate")]
    rows: list[tuple[Any, ...]] = [
        (who, e["listed"], e["done"], e["on_time"], e["missed"], e["rate"])
        for who, e in ft.by_consultant.items()]
    rows.append((w["total"], ft.listed, ft.done, ft.on_time, ft.missed, ft.rate))
    row = _block(ws, fmts, row, w["block.followthrough"], cols, rows, w["none"], widths)

    cols = [Col("k", w["col.what"]), Col("n", w["col.count"], "count")]
    rows = [(w[f"lead.{k}"], ch.counts[k]) for k in LEAD_KEYS]
    row = _block(ws, fmts, row, w["block.leads"], cols, rows, w["none"], widths)

    pairs = [tuple(k.split("→")) for k in ch.transitions]
    grades = _grade_order({g for pair in pairs for g in pair})
    ws.write_string(row, 0, w["block.transitions"], fmts.get("header"))
    row += 1
    if grades:
        write_cell(ws, row, 0, w["col.before"], "text", fmts)
        for j, g in enumerate(grades, 1):
            write_cell(ws, row, j, g, "text", fmts)
        for i, before in enumerate(grades, 1):
            write_cell(ws, row + i, 0, before, "text", fmts)
            for j, after in enumerate(grades, 1):
                n = ch.transitions.get(f"{before}→{after}")
                if n is not None:  # a pair that did not occur stays blank
                    write_cell(ws, row + i, j, n, "count", fmts)
        row += len(grades) + 2
    else:
        ws.write_string(row, 0, w["none"], fmts.get("note"))
        row += 2

    cols = [Col("c", w["col.consultant"]), Col("p", w["col.phone"]),
            Col("g", w["col.grade"]), Col("s", w["col.status"]),
            Col("l", w["col.latest"], "date"), Col("f", w["col.file"]),
            Col("sh", w["col.sheet"]), Col("r", w["col.row"], "id")]
    rows = [(s.consultant, s.phone_masked, s.grade, w.get(f"status.{s.status}", s.status),
             date_of(s.latest_contact), s.file, s.sheet, s.row) for s in ch.vanished]
    row = _block(ws, fmts, row, w["block.vanished"], cols, rows, w["none"], widths)

    cols = [Col("c", w["col.consultant"]), Col("p", w["col.phone"]),
            Col("g", w["col.grade"]), Col("d", w["col.due"], "date"),
            Col("l", w["col.latest"], "date"), Col("f", w["col.file"]),
            Col("sh", w["col.sheet"]), Col("r", w["col.row"], "id"),
            Col("fn", w["col.file_now"]), Col("rn", w["col.row_now"], "id")]
    rows = [(m.task.consultant, m.before.phone_masked, m.before.grade, date_of(m.task.due),
             date_of(m.now.latest_contact), m.before.file, m.before.sheet, m.before.row, m.now.file,
             m.now.row) for m in ft.missed_list]
    _block(ws, fmts, row, w["block.missed"], cols, rows, w["none"], widths)


def _grade_order(grades: set[str]) -> list[str]:
    """Letters in order, then N, O, F."""
    plain = sorted(g for g in grades if g not in SPECIAL_ORDER)
    return plain + [g for g in SPECIAL_ORDER if g in grades]


def _trend(wb: Workbook, ws: Worksheet, fmts: Formats, w: dict[str, str],
           trend: Sequence[dict[str, Any]]) -> None:
    cols = [Col(k, w[f"trend.{k}"], kind) for k, kind in TREND_COLUMNS]
    rows = [tuple(t.get(k) for k, _ in TREND_COLUMNS) for t in trend]
    end = write_table(ws, fmts, HEADER_ROW, cols, rows, empty_note=w["none"])
    if not rows:
        return
    name = w["sheet.trend"]
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    index = {k: j for j, (k, _) in enumerate(TREND_COLUMNS)}
    font = {"name": "等线", "size": 10}
    for n, (lines, title, y_format) in enumerate(((COUNT_LINES, w["chart.counts"], None),
                                                  (RATE_LINES, w["chart.rates"], "0%"))):
        chart = wb.add_chart({"type": "line"})
        for key, color in lines:
            j = index[key]
            chart.add_series({
                "name": cols[j].header,
                "categories": [name, first, 0, last, 0],
                "values": [name, first, j, last, j],
                "categories_data": [r[0] for r in rows],
                "values_data": [r[j] for r in rows],
                "line": {"color": color, "width": 2},
                "marker": {"type": "circle", "size": 5,
                           "fill": {"color": color}, "border": {"color": color}},
            })
        chart.set_title({"name": title, "name_font": {"name": "等线", "size": 12,
                                                      "bold": True}})
        chart.set_legend({"position": "bottom", "font": font})
        chart.set_x_axis({"num_font": font})
        y: dict[str, object] = {"num_font": font, "major_gridlines": {"visible": True,
                                                   "line": {"color": "#D9D9D9"}}}
        if y_format:
            y["num_format"] = y_format
        chart.set_y_axis(y)
        ws.insert_chart(end + 1 + n * 18, 0, chart, {"x_scale": 1.4, "y_scale": 1.1})
