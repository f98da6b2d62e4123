"""group.xlsx: a dealer group's stores side by side (domain.md §8).

门店对比: one row per store — period, leads, the week's work, follow-through,
the funnel and its rates, spend, cost per lead, lost share and lost cost — in
order of conversion, with both ranks, colour scales on the rates and the cost,
a 合计 row recomputed from the sums, and two native bar charts ranking the
stores (conversion; cost per lead). Stores whose as-of date or period differ
from the group's, and stores that gave no figures, are named in 提示.
趋势: each store's last runs, from its history, with a line chart of the
follow-through rate. Names are masked (the roll-up is forwarded).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..labels import Labels
from .atomic import atomic_path
from .report_xlsx import chart_style
from .xlsx_table import Col, Formats, new_workbook, print_setup, write_table, write_title
from .xlsx_text import write_text

TITLE_ROW, HEADER_ROW = 0, 1
CHART_STORES = 30  # stores shown in each ranking chart; the table has them all
TREND_SERIES = 12  # stores drawn in the trend chart


def compare_columns(lab: Labels) -> list[Col]:
    return [
        Col("store", lab["col.store"], max_width=24),
        Col("period", lab["col.period"], max_width=24),
        Col("leads", lab["col.leads_total"], "count"),
        Col("due", lab["fu.due"], "count"),
        Col("overdue", lab["fu.overdue"], "count"),
        Col("followthrough", lab["col.followthrough"], "rate"),
        Col("traffic", lab["col.traffic"], "count"),
        Col("kept", lab["col.kept"], "count"),
        Col("deals", lab["col.deals"], "count"),
        Col("keep_rate", lab["col.keep_rate"], "rate"),
        Col("follow_rate", lab["col.follow_rate"], "rate"),
        Col("convert_rate", lab["col.convert_rate"], "rate"),
        Col("spend", lab["col.spend"], "money"),
        Col("cost_per_lead", lab["col.cost_per_lead"], "money"),
        Col("lost_share", lab["kpi.lost_share"], "rate"),
        Col("lost_cost", lab["col.lost_cost"], "money"),
        Col("rank_convert", lab["col.rank_convert"], "id"),
        Col("rank_cost", lab["col.rank_cost"], "id"),
        Col("note", lab["col.group_note"], max_width=50),
    ]


def store_note(entry: dict[str, Any], lab: Labels) -> str:
    """提示: what the manager must know before comparing this row."""
    words = []
    if entry["status"] != "ok":
        words.append(lab["text.store_failed"])
    for flag in entry.get("flags") or []:
        words.append(lab[f"text.flag_{flag}"])
    words.extend(entry.get("errors") or [])
    return "; ".join(words)


def _period(entry: dict[str, Any], lab: Labels) -> str | None:
    p = entry.get("period")
    if not p:
        return None
    return lab.fmt("text.period", start=p["start"], end=p["end"])


def compare_row(entry: dict[str, Any], lab: Labels, name: str | None = None) -> list[Any]:
    leads = entry.get("leads") or {}
    follow = entry.get("followups") or {}
    funnel = entry.get("funnel") or {}
    cost = entry.get("cost") or {}
    through = (entry.get("history") or {}).get("followthrough") or {}
    rank = entry.get("rank") or {}
    return [
        name or entry["store"], _period(entry, lab), leads.get("total"), follow.get("due"),
        follow.get("overdue"), through.get("rate"), funnel.get("traffic"), funnel.get("kept"),
        funnel.get("deals"), funnel.get("keep_rate"), funnel.get("follow_rate"),
        funnel.get("convert_rate"), cost.get("spend"), cost.get("cost_per_lead"),
        cost.get("lost_share"), cost.get("lost_cost"), rank.get("convert_rate"),
        rank.get("cost_per_lead"), store_note(entry, lab) if name is None else None,
    ]


def by_conversion(stores: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ranked stores first (by their conversion rank), then the rest in their order."""
    ranked = [s for s in stores if (s.get("rank") or {}).get("convert_rate") is not None]
    ranked.sort(key=lambda s: s["rank"]["convert_rate"])
    return ranked + [s for s in stores if s not in ranked]


def write_group_xlsx(group: dict[str, Any], target: Path, lang: str = "zh") -> Path:
    lab = Labels(lang)
    with atomic_path(target) as tmp:
        wb = new_workbook(str(tmp))
        fmts = Formats(wb)
        _compare(wb, fmts, lab, group)
        if any((s.get("history") or {}).get("trend") for s in group["stores"]):
            _trend(wb, fmts, lab, group["stores"])
        wb.close()
    return target


def _compare(wb: Any, fmts: Formats, lab: Labels, group: dict[str, Any]) -> None:
    name = lab["sheet.compare"]
    ws = wb.add_worksheet(name)
    write_title(ws, TITLE_ROW, lab.fmt("text.group_title", n=group["total"]["stores"]), fmts)
    cols = compare_columns(lab)
    stores = by_conversion(group["stores"])
    rows = [compare_row(s, lab) for s in stores]
    total = compare_row({**group["total"], "status": "ok"}, lab, name=lab["col.total"])
    flagged = [bool(s.get("flags")) or s["status"] != "ok" for s in stores]
    rows_all = [*rows, total]

    def style(i: int, _row: Sequence[Any]) -> dict[str, Any]:
        if i == len(rows):
            return {"bold": True, "rule": True}
        return {"fill": "warn"} if flagged[i] else {}

    write_table(ws, fmts, HEADER_ROW, cols, rows_all, style=style,
                empty_note=lab["text.none"])
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    if rows:
        keys = [c.key for c in cols]
        green_high = {"type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84",
                      "max_color": "#63BE7B"}
        green_low = {**green_high, "min_color": "#63BE7B", "max_color": "#F8696B"}
        for key in ("keep_rate", "follow_rate", "convert_rate", "followthrough"):
            j = keys.index(key)
            ws.conditional_format(first, j, last, j, green_high)
        for key in ("cost_per_lead", "lost_share", "overdue"):
            j = keys.index(key)
            ws.conditional_format(first, j, last, j, green_low)
        _ranking_chart(wb, ws, name, lab, stores, cols, "convert_rate", first,
                       last + 3, lab["text.chart_rank_convert"])
        by_cost = sorted((s for s in stores if (s.get("rank") or {}).get("cost_per_lead")),
                         key=lambda s: s["rank"]["cost_per_lead"])
        write_text(ws, last + 2, 0, lab["text.group_note"], fmts.get("note"))
        if by_cost:
            _cost_chart(wb, ws, fmts, lab, by_cost, last + 3)
    print_setup(ws, lab["text.group"])


def _ranking_chart(wb: Any, ws: Any, sheet: str, lab: Labels, stores: list[dict[str, Any]],
                   cols: list[Col], key: str, first: int, at: int, title: str) -> None:
    j = [c.key for c in cols].index(key)
    shown = [s for s in stores if (s.get("funnel") or {}).get(key) is not None][:CHART_STORES]
    if not shown:
        return
    chart = wb.add_chart({"type": "bar"})
    end = first + len(shown) - 1
    chart.add_series({
        "name": cols[j].header,
        "categories": [sheet, first, 0, end, 0],
        "values": [sheet, first, j, end, j],
        "categories_data": [s["store"] for s in shown],
        "values_data": [s["funnel"][key] for s in shown],
        "fill": {"color": "#548235"},
        "data_labels": {"value": True, "num_format": "0.0%"},
    })
    chart_style(chart, title, legend=False, categories_down=True)
    chart.set_x_axis({"num_format": "0%", "major_gridlines": {"visible": True,
                      "line": {"color": "#D9D9D9"}}})
    ws.insert_chart(at, 0, chart, {"x_scale": 1.3, "y_scale": max(1.0, len(shown) / 12)})


def _cost_chart(wb: Any, ws: Any, fmts: Formats, lab: Labels, stores: list[dict[str, Any]],
                at: int) -> None:
    """Cost per lead, cheapest first: a small table of its own, the chart beside it."""
    shown = stores[:CHART_STORES]
    col = 9
    write_text(ws, at, col, lab["col.store"], fmts.get("header"))
    write_text(ws, at, col + 1, lab["col.cost_per_lead"], fmts.get("header"))
    for i, s in enumerate(shown, 1):
        write_text(ws, at + i, col, s["store"], fmts.get("text"))
        ws.write_number(at + i, col + 1, s["cost"]["cost_per_lead"], fmts.get("money"))
    chart = wb.add_chart({"type": "bar"})
    sheet = ws.get_name()
    chart.add_series({
        "name": lab["col.cost_per_lead"],
        "categories": [sheet, at + 1, col, at + len(shown), col],
        "values": [sheet, at + 1, col + 1, at + len(shown), col + 1],
        "categories_data": [s["store"] for s in shown],
        "values_data": [s["cost"]["cost_per_lead"] for s in shown],
        "fill": {"color": "#2F75B5"},
        "data_labels": {"value": True, "num_format": "#,##0"},
    })
    chart_style(chart, lab["text.chart_rank_cost"], legend=False, categories_down=True)
    ws.insert_chart(at, col + 3, chart, {"x_scale": 1.3, "y_scale": max(1.0, len(shown) / 12)})


TREND_KEYS = ("traffic", "kept", "deals", "cost_per_lead", "lost_share", "due", "overdue",
              "followthrough_rate")
TREND_KINDS = {"cost_per_lead": "money", "lost_share": "rate", "followthrough_rate": "rate"}


def _trend(wb: Any, fmts: Formats, lab: Labels, stores: list[dict[str, Any]]) -> None:
    name = lab["sheet.group_trend"]
    ws = wb.add_worksheet(name)
    write_title(ws, TITLE_ROW, name, fmts)
    cols = [Col("store", lab["col.store"], max_width=24), Col("as_of", lab["col.as_of"]),
            *[Col(k, lab[f"trend.{k}"], TREND_KINDS.get(k, "count")) for k in TREND_KEYS]]
    rows: list[list[Any]] = []
    spans: list[tuple[str, int, int, list[Any]]] = []
    for s in stores:
        trend = (s.get("history") or {}).get("trend") or []
        if not trend:
            continue
        start = HEADER_ROW + 1 + len(rows)
        for point in trend:
            rows.append([s["store"], point.get("as_of"), *[point.get(k) for k in TREND_KEYS]])
        spans.append((s["store"], start, start + len(trend) - 1,
                      [p.get("followthrough_rate") for p in trend]))
    end = write_table(ws, fmts, HEADER_ROW, cols, rows, empty_note=lab["text.none"])
    chart = wb.add_chart({"type": "line"})
    j = 2 + TREND_KEYS.index("followthrough_rate")
    for store, top, bottom, values in spans[:TREND_SERIES]:
        chart.add_series({
            "name": store,
            "categories": [name, top, 1, bottom, 1],
            "values": [name, top, j, bottom, j],
            "categories_data": [r[1] for r in rows[top - HEADER_ROW - 1:bottom - HEADER_ROW]],
            "values_data": values,
            "marker": {"type": "circle", "size": 5},
        })
    if spans:
        chart_style(chart, lab["text.chart_trend"])
        chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
        ws.insert_chart(end + 1, 0, chart, {"x_scale": 1.5, "y_scale": 1.2})
    print_setup(ws, lab["text.group"])
