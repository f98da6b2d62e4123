"""report.xlsx: the manager's workbook (domain.md §8).

Sheets in order: 待跟进, 日程, 漏斗, 渠道, 顾问, 战败, (变化, 趋势 with history), 数据问题,
撞单与重复, 日报核对
(English names with ``--lang en``, see leadbook.labels). Native Excel charts
for the funnel, the channels and the consultants' due work. The due list shows
the full phone number: it is the list the consultants call from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..cells import MISSING, clean
from ..labels import Labels
from ..model import Outcome
from ..spend import spend_text
from ..worklist import SCHEDULE_BUCKETS, followup_counts
from .atomic import atomic_path
from .report_history import write_history_sheets
from .xlsx_table import (
    Col,
    Formats,
    column_widths,
    counted,
    new_workbook,
    print_setup,
    table_rows,
    text_width,
    title_text,
    write_cell,
    write_header,
    write_table,
    write_title,
)
from .xlsx_text import write_text

FUNNEL_STAGES = ("traffic", "kept", "followed", "deals")
FUNNEL_ROWS = (
    ("traffic", "count"), ("kept", "count"), ("followed", "count"), ("deals", "count"),
    ("keep_rate", "rate"), ("follow_rate", "rate"), ("convert_rate", "rate"),
    ("spend", "money"), ("cost_per_lead", "money"), ("lost", "count"),
    ("lost_share", "rate"), ("lost_cost", "money"),
)
LOST_SUMMARY_TOP = 6  # reasons / competitors / channels shown above the list, then 其他
CHART_CHANNELS = 12
TITLE_ROW, HEADER_ROW = 0, 1


def write_report(outcome: Outcome, target: Path,
                 rest: Callable[[], Outcome] | None = None) -> Path:
    """Write report.xlsx to ``target`` (atomically) and return ``target``.

    With ``rest``, ``outcome`` needs to hold only the due list and the title's
    facts: the 待跟进 sheet, the largest, is written first, then ``rest()``
    gives the whole outcome for the other sheets (a worker starts on the call
    list while the analysis is finishing the figures).
    """
    lab = Labels(outcome.lang)
    target = Path(target)
    with atomic_path(target) as tmp:
        wb = new_workbook(str(tmp))
        fmts = Formats(wb)
        report = _Report(outcome, lab, wb, fmts)
        report.due()
        if rest is not None:
            report.o = rest()
        report.schedule()
        report.funnel()
        report.channels()
        report.consultants()
        report.lost()
        write_history_sheets(wb, fmts, lab, report.o, report.footer)  # 变化, 趋势 (§10)
        report.issues()
        report.duplicates()
        report.crosscheck()
        wb.close()
    return target


def due_title(outcome: Outcome, lab: Labels, consultant: str | None = None) -> str:
    """The call list's title: store, period, as-of, and the week's work counted
    in the words every output uses (for one consultant's list: that consultant's)."""
    tasks = outcome.tasks
    if consultant is not None and len(tasks):
        tasks = tasks[tasks["consultant"] == consultant]
    counts = followup_counts(tasks)
    return (f"{title_text(outcome, lab, lab['sheet.due'])} · "
            f"{lab.followups(counts, outcome.list_days)}")


# The call list, in the order a consultant works down it: who, whom, the number,
# what and when, then what to know, the reason last and wrapping. The widths fit
# A4 landscape at full size (10 pt), one page wide; the columns after 原因 are
# for sorting and finding the row, outside the printed area.
DUE_PRINTED = 11


def due_columns(lab: Labels) -> list[Col]:
    """The call list's columns: report.xlsx 待跟进 and due/<consultant>.xlsx."""
    return [
        Col("consultant", lab["col.consultant"], max_width=10),
        Col("name", lab["col.name"], max_width=10),
        Col("phone", lab["col.phone"], max_width=13),
        Col("task", lab["col.task"], max_width=10, show=lambda v: lab.word("task", v)),
        Col("due", lab["col.due"], "date", max_width=11),
        Col("days_late", lab["col.days_late"], "int", max_width=8),
        Col("grade", lab["col.grade"], max_width=6),
        Col("escalation", lab["col.escalation"], max_width=10,
            show=lambda v: lab.word("esc", v)),
        Col("model", lab["col.model"], max_width=10),
        Col("source", lab["col.source"], max_width=12),
        Col("reason", lab["col.reason"], "wrap", max_width=44),
        Col("kind", lab["col.kind"], show=lambda v: lab.word("kind", v)),
        Col("bucket", lab["col.bucket"], show=lambda v: lab.word("bucket", v)),
        Col("file", lab["col.file"], max_width=30),
        Col("sheet", lab["col.sheet"], max_width=20),
        Col("row", lab["col.row"], "id"),
    ]


def write_due_sheet(wb: Workbook, fmts: Formats, lab: Labels, tasks: Any, title: str,
                    footer: str) -> Worksheet:
    """One consultant group after the other, most urgent first; overdue rows red, today
    yellow; printed with each consultant from the top of a page, the header repeated."""
    ws = wb.add_worksheet(lab["sheet.due"])
    cols = due_columns(lab)
    rows = table_rows(tasks, cols)
    raw_late = [clean(v) for v in tasks["days_late"]] if len(rows) else []
    escalations = [clean(v) for v in tasks["escalation"]] if len(rows) else []
    starts = [i for i in range(1, len(rows)) if rows[i][0] != rows[i - 1][0]]
    first_rows = set(starts)

    def style(i: int, row: Sequence[Any]) -> dict[str, Any]:
        late = raw_late[i]
        fill = "overdue" if late is not None and late > 0 else "today" if late == 0 else None
        return {"fill": fill, "rule": i in first_rows, "bold": bool(escalations[i])}

    write_title(ws, TITLE_ROW, title, fmts)
    end = write_table(ws, fmts, HEADER_ROW, cols, rows, style=style,
                      empty_note=lab["text.none"])
    print_setup(ws, footer)
    ws.print_area(TITLE_ROW, 0, max(end - 1, HEADER_ROW), DUE_PRINTED - 1)
    # Excel keeps at most 1,023 manual breaks a sheet.
    ws.set_h_pagebreaks([HEADER_ROW + 1 + i for i in starts][:1023])
    return ws


class _Report:
    def __init__(self, outcome: Outcome, lab: Labels, wb: Workbook, fmts: Formats) -> None:
        self.o, self.lab, self.wb, self.fmts = outcome, lab, wb, fmts
        self.footer = outcome.store

    def _sheet(self, key: str) -> tuple[Worksheet, str]:
        name = self.lab[f"sheet.{key}"]
        ws = self.wb.add_worksheet(name)
        write_title(ws, TITLE_ROW, title_text(self.o, self.lab, name), self.fmts)
        return ws, name

    def _cols(self, spec: Sequence[tuple[str, str] | tuple[str, str, str]]) -> list[Col]:
        out = []
        for item in spec:
            key, kind = item[0], item[1]
            header = self.lab[item[2]] if len(item) > 2 else self.lab.column(key)
            out.append(Col(key, header, kind))
        return out

    def due(self) -> None:
        write_due_sheet(self.wb, self.fmts, self.lab, self.o.tasks, due_title(self.o, self.lab),
                        self.footer)

    def schedule(self) -> None:
        """日程: leads falling due per consultant and grade, by bucket (the full schedule)."""
        ws, _ = self._sheet("schedule")
        lab = self.lab
        cols = [Col("consultant", lab["col.consultant"], max_width=16),
                Col("grade", lab["col.grade"]),
                *[Col(word, lab.word("bucket", word), "count") for word in SCHEDULE_BUCKETS],
                Col("total", lab["col.schedule_total"], "count")]
        frame = self.o.schedule
        rows = table_rows(frame, cols) if frame is not None else []
        end = write_table(ws, self.fmts, HEADER_ROW, cols, rows, empty_note=lab["text.none"])
        write_text(ws, end + 1, 0, lab["text.schedule_note"], self.fmts.get("note"))
        print_setup(ws, self.footer)

    def funnel(self) -> None:
        ws, _ = self._sheet("funnel")
        lab, fmts = self.lab, self.fmts
        figures = {**(self.o.summary.get("funnel") or {}), **(self.o.summary.get("cost") or {})}
        cols = [Col("metric", lab["col.metric"]), Col("figure", lab["col.figure"], "money"),
                Col("how", lab["col.how"])]
        how = {k: lab[f"how.{k}"] for k, _ in FUNNEL_ROWS}
        made_of = spend_text(self.o.spend_parts, lab)
        if made_of:
            how["spend"] = f"{how['spend']}: {made_of}"
        widths = (
            max(text_width(lab[f"kpi.{k}"]) for k, _ in FUNNEL_ROWS) + 4,
            16,
            min(max(text_width(h) for h in how.values()) + 2, 90),
        )
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        write_header(ws, HEADER_ROW, cols, fmts)
        r = HEADER_ROW
        for key, kind in FUNNEL_ROWS:
            r += 1
            write_text(ws, r, 0, lab[f"kpi.{key}"], fmts.get("text", bold=key in FUNNEL_STAGES))
            write_cell(ws, r, 1, figures.get(key), kind, fmts)
            write_text(ws, r, 2, how[key], fmts.get("text"))
        ws.autofilter(HEADER_ROW, 0, r, 2)
        ws.freeze_panes(HEADER_ROW + 1, 0)
        ws.repeat_rows(HEADER_ROW)
        r += 1
        for key in ("sales", "cost_per_lead", "lost_cost"):
            r += 1
            write_text(ws, r, 0, lab[f"formula.{key}"], fmts.get("note"))
            r += 1
            write_text(ws, r, 0, self._filled(key, figures), fmts.get("plain", bold=True))
        chart = self.wb.add_chart({"type": "column"})
        name = lab["sheet.funnel"]
        first = HEADER_ROW + 1
        # constant_memory keeps no cell data for the chart cache: hand it over.
        chart.add_series({
            "name": lab["text.chart_funnel"],
            "categories": [name, first, 0, first + 3, 0],
            "values": [name, first, 1, first + 3, 1],
            "categories_data": [lab[f"kpi.{k}"] for k in FUNNEL_STAGES],
            "values_data": [clean(figures.get(k)) for k in FUNNEL_STAGES],
            "data_labels": {"value": True, "num_format": "#,##0"},
            "fill": {"color": "#2F75B5"},
            "gap": 60,
        })
        chart_style(chart, lab["text.chart_funnel"], legend=False)
        ws.insert_chart(HEADER_ROW, 4, chart, {"x_scale": 1.2, "y_scale": 1.2})
        print_setup(ws, self.footer)

    def _filled(self, key: str, f: dict[str, Any]) -> str:
        def n(k: str) -> str:
            v = clean(f.get(k))
            return MISSING if v is None else f"{v:,.0f}"

        def m(k: str) -> str:
            v = clean(f.get(k))
            return MISSING if v is None else f"{v:,.2f}"

        def p(k: str) -> str:
            v = clean(f.get(k))
            return MISSING if v is None else f"{v:.1%}"

        if key == "sales":
            return self.lab.fmt("formula.sales_filled", deals=n("deals"), traffic=n("traffic"),
                                keep_rate=p("keep_rate"), follow_rate=p("follow_rate"),
                                convert_rate=p("convert_rate"))
        if key == "cost_per_lead":
            return self.lab.fmt("formula.cost_per_lead_filled", cost_per_lead=m("cost_per_lead"),
                                spend=m("spend"), kept=n("kept"))
        return self.lab.fmt("formula.lost_cost_filled", lost_cost=m("lost_cost"), lost=n("lost"),
                            spend=m("spend"), kept=n("kept"))

    def channels(self) -> None:
        ws, name = self._sheet("channels")
        cols = self._cols([
            ("source", "text"), ("leads", "count"), ("won", "count"), ("lost", "count"),
            ("conversion", "rate"), ("spend", "money"), ("cost_per_lead", "money"),
            ("cost_per_deal", "money"), ("lost_cost", "money"),
        ])
        rows = table_rows(self.o.channels, cols)
        end = write_table(ws, self.fmts, HEADER_ROW, cols, rows, empty_note=self.lab["text.none"])
        if rows:
            last = HEADER_ROW + min(len(rows), CHART_CHANNELS)
            chart = self.wb.add_chart({"type": "bar"})
            shown = rows[:CHART_CHANNELS]
            for col, color in ((1, "#2F75B5"), (2, "#70AD47")):
                chart.add_series({
                    "name": cols[col].header,
                    "categories": [name, HEADER_ROW + 1, 0, last, 0],
                    "values": [name, HEADER_ROW + 1, col, last, col],
                    "categories_data": [str(r[0] or "") for r in shown],
                    "values_data": [r[col] for r in shown],
                    "fill": {"color": color},
                    "data_labels": {"value": True},
                })
            chart_style(chart, self.lab["text.chart_channels"], categories_down=True)
            ws.insert_chart(end + 1, 0, chart, {"x_scale": 1.4, "y_scale": 1.2})
        print_setup(ws, self.footer)

    def consultants(self) -> None:
        ws, name = self._sheet("consultants")
        frame = self.o.consultants
        grades = [c for c in frame.columns if str(c).startswith("grade_")]
        spec: list[tuple[str, str] | tuple[str, str, str]] = [
            ("consultant", "text"), ("traffic", "count"), ("kept", "count"),
            ("keep_rate", "rate"), ("followed", "count"), ("follow_rate", "rate"),
            ("deals", "count"), ("convert_rate", "rate"),
            *[(g, "count") for g in grades],
            ("due", "count", "col.due_count"), ("overdue", "count", "col.overdue"),
            ("upcoming", "count"), ("on_time_share", "rate"),
        ]
        cols = self._cols(spec)
        cols[-2] = Col("upcoming", lab_upcoming(self.lab, self.o.list_days), "count")
        rows = table_rows(frame, cols)
        end = write_table(ws, self.fmts, HEADER_ROW, cols, rows, empty_note=self.lab["text.none"])
        if rows:
            due_col = len(cols) - 4
            last = HEADER_ROW + len(rows)
            chart = self.wb.add_chart({"type": "column"})
            for col, color in ((due_col, "#2F75B5"), (due_col + 1, "#C00000")):
                chart.add_series({
                    "name": cols[col].header,
                    "categories": [name, HEADER_ROW + 1, 0, last, 0],
                    "values": [name, HEADER_ROW + 1, col, last, col],
                    "categories_data": [str(r[0] or "") for r in rows],
                    "values_data": [r[col] for r in rows],
                    "fill": {"color": color},
                    "data_labels": {"value": True},
                })
            chart_style(chart, self.lab["text.chart_consultants"])
            ws.insert_chart(end + 1, 0, chart, {"x_scale": 1.4, "y_scale": 1.1})
        print_setup(ws, self.footer)

    def lost(self) -> None:
        """Reasons, competitors and lost cost by channel side by side, then the list."""
        ws, _ = self._sheet("lost")
        lab, fmts = self.lab, self.fmts
        frame = self.o.lost
        blank = lab["text.unknown"]
        reasons = _top(counted(frame["lost_reason"] if len(frame) else [], blank), lab)
        rivals = _top(counted(frame["competitor"] if len(frame) else [], blank), lab)
        by_channel = self._lost_by_channel()
        blocks = [
            (0, [Col("r", lab["col.lost_reason"]), Col("n", lab["col.count"], "count")], reasons),
            (3, [Col("c", lab["col.competitor"]), Col("n", lab["col.count"], "count")], rivals),
            (6, [Col("s", lab["col.source"]), Col("n", lab["col.lost"], "count"),
                 Col("m", lab["col.lost_cost"], "money")], by_channel),
        ]
        cols = self._cols([
            ("consultant", "text"), ("name", "text"), ("source", "text"), ("model", "text"),
            ("lost_reason", "text"), ("competitor", "text"), ("lost_on", "date"),
            ("file", "text"), ("sheet", "text"), ("row", "id"),
        ])
        rows = table_rows(frame, cols)
        widths = _lost_widths(cols, rows, blocks)
        for first, bcols, _ in blocks:
            for j, c in enumerate(bcols):
                write_text(ws, HEADER_ROW, first + j, c.header, fmts.get("header"))
        depth = max(len(b[2]) for b in blocks)
        for i in range(depth):
            for first, bcols, items in blocks:
                if i < len(items):
                    for j, c in enumerate(bcols):
                        write_cell(ws, HEADER_ROW + 1 + i, first + j, items[i][j], c.kind, fmts)
        top = HEADER_ROW + depth + 2
        write_table(ws, fmts, top, cols, rows, widths=widths, empty_note=lab["text.none"])
        print_setup(ws, self.footer)

    def _lost_by_channel(self) -> list[tuple[Any, ...]]:
        frame = self.o.channels
        items = []
        if len(frame):
            for rec in frame.to_dict("records"):
                lost = clean(rec.get("lost"))
                if lost:
                    items.append((rec.get("source"), lost, clean(rec.get("lost_cost"))))
        items.sort(key=lambda t: (-(t[2] or 0), -t[1]))
        if len(items) > LOST_SUMMARY_TOP + 1:
            rest = items[LOST_SUMMARY_TOP:]
            costs = [t[2] for t in rest]
            total = None if any(c is None for c in costs) else sum(costs)
            items = [*items[:LOST_SUMMARY_TOP],
                     (self.lab["text.other"], sum(t[1] for t in rest), total)]
        return items

    def issues(self) -> None:
        ws, _ = self._sheet("issues")
        lab = self.lab
        # The problem in words first, where it is, and the code last (for scripts).
        cols = [Col("severity", lab["col.severity"]),
                Col("message", lab["col.message"], "wrap", max_width=60),
                Col("file", lab["col.file"], max_width=30), Col("sheet", lab["col.sheet"]),
                Col("row", lab["col.row"], "id"), Col("column", lab["col.column"]),
                Col("value", lab["col.value"], max_width=30), Col("code", lab["col.code"])]
        lang = self.o.lang
        rows = [[lab.word("sev", i.severity.value), i.message(lang), i.file, i.sheet, i.row,
                 i.column, i.value, i.code.code] for i in self.o.issues]
        errors = [i.severity.value == "error" for i in self.o.issues]
        write_table(ws, self.fmts, HEADER_ROW, cols, rows, empty_note=lab["text.none"],
                    style=lambda i, _row: {"red": errors[i]})
        print_setup(ws, self.footer)

    def duplicates(self) -> None:
        ws, _ = self._sheet("duplicates")
        lab = self.lab
        cols = [Col("kind", lab["col.dup_kind"], show=lambda v: lab.word("dup", v)),
                Col("phone", lab["col.phone"]), Col("owner", lab["col.owner"]),
                Col("consultant", lab["col.dup_consultant"]), Col("name", lab["col.name"]),
                Col("file", lab["col.file"], max_width=30), Col("sheet", lab["col.sheet"]),
                Col("row", lab["col.row"], "id"),
                Col("owner_file", lab["col.owner_file"], max_width=30),
                Col("owner_row", lab["col.owner_row"], "id")]
        frame = self.o.duplicates
        rows = table_rows(frame, cols)
        conflict = [clean(v) == "conflict" for v in frame["kind"]] if len(rows) else []
        write_table(ws, self.fmts, HEADER_ROW, cols, rows, empty_note=lab["text.none"],
                    style=lambda i, _row: {"fill": "warn" if conflict[i] else None})
        print_setup(ws, self.footer)

    def crosscheck(self) -> None:
        """The consultant-days whose daily report and lead cards disagree, then one line
        counting the days that agree."""
        ws, _ = self._sheet("crosscheck")
        cols = self._cols([("consultant", "text"), ("date", "date"), ("reported", "count"),
                           ("cards", "count"), ("difference", "count")])
        rows = table_rows(self.o.crosscheck, cols)
        differ = [r for r in rows if r[4]]
        end = write_table(ws, self.fmts, HEADER_ROW, cols, differ, empty_note=None,
                          style=lambda i, row: {"fill": "warn"})
        if rows:
            note = self.lab.fmt("text.crosscheck_agree", n=len(rows) - len(differ),
                                differ=len(differ))
            write_text(ws, max(end, HEADER_ROW + 1), 0, note, self.fmts.get("note"))
        else:
            write_text(ws, HEADER_ROW + 1, 0, self.lab["text.none"], self.fmts.get("note"))
        print_setup(ws, self.footer)


def lab_upcoming(lab: Labels, list_days: int) -> str:
    return lab.fmt("col.upcoming", n=list_days)


def _top(items: list[tuple[str, int]], lab: Labels) -> list[tuple[Any, ...]]:
    if len(items) <= LOST_SUMMARY_TOP + 1:
        return list(items)
    rest = sum(n for _, n in items[LOST_SUMMARY_TOP:])
    return [*items[:LOST_SUMMARY_TOP], (lab["text.other"], rest)]


def _lost_widths(cols: Sequence[Col], rows: Sequence[Sequence[Any]],
                 blocks: Sequence[tuple[int, list[Col], list[tuple[Any, ...]]]]) -> list[int]:
    """The list's widths, widened where a summary block above shares the column."""
    widths = column_widths(cols, rows)
    for first, bcols, items in blocks:
        block = column_widths(bcols, [list(t) for t in items])
        for j, w in enumerate(block):
            if first + j < len(widths):
                widths[first + j] = max(widths[first + j], w)
    return widths


def chart_style(chart: Any, title: str, legend: bool = True, categories_down: bool = False
                 ) -> None:
    """Title, legend below, light gridlines; ``categories_down`` lists a bar chart's
    categories top to bottom in table order."""
    font = {"name": "等线", "size": 10}
    grid = {"visible": True, "line": {"color": "#D9D9D9"}}
    chart.set_title({"name": title, "name_font": {"name": "等线", "size": 12, "bold": True}})
    chart.set_legend({"position": "bottom", "font": font} if legend else {"none": True})
    if categories_down:  # bar chart: x is the value axis, y the category axis
        chart.set_x_axis({"num_font": font, "major_gridlines": grid})
        chart.set_y_axis({"num_font": font, "reverse": True})
    else:
        chart.set_x_axis({"num_font": font})
        chart.set_y_axis({"num_font": font, "major_gridlines": grid})
