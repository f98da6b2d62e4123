"""summary.html 本周变化 and 趋势 (domain.md §8, §10): the page's view of the history.

Phones are the history's masked numbers; the trend chart is inline SVG (the
page fetches nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..cells import MISSING
from ..history.model import date_of
from ..history.remember import PAGE_ROWS
from ..history.summary import terminal_line
from ..labels import Labels
from ..model import Outcome
from .report_history import LEAD_KEYS, TREND_COLUMNS, words

PAGE_WORDS = {
    "zh": {"title": "本周变化", "trend": "趋势", "more": "另有 {n} 条, 见 report.xlsx 变化",
           "first": "本店首次记录历史: 下次运行起与本次比较。", "transitions": "级别变化"},
    "en": {"title": "This week's changes", "trend": "Trend",
           "more": "{n} more in report.xlsx, sheet Changes",
           "first": "The store's first run kept: the next run compares with this one.",
           "transitions": "Grade moves"},
}
CHART_LINES = (("kept", "#2E75B6"), ("deals", "#548235"), ("due", "#BF8F00"),
               ("overdue", "#C00000"))
CHART_W, CHART_H, PAD = 640, 200, 30
# Vanished / missed rows on the page; the whole lists are in report.xlsx 变化. The
# counts come from the figures: the lists may reach the page already cut to this.
LIST_CAP = PAGE_ROWS


def _cell(value: Any, kind: str) -> dict[str, Any]:
    if value is None:
        return {"text": MISSING, "num": kind != "text"}
    if kind == "rate":
        return {"text": f"{value:.1%}", "num": True}
    if kind in ("count", "money"):
        return {"text": f"{value:,.0f}", "num": True}
    return {"text": str(value), "num": False}


def _table(head: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    return {"head": [{"text": h, "num": kind != "text"} for h, kind in head],
            "rows": [[_cell(v, kind) for v, (_, kind) in zip(row, head, strict=True)]
                     for row in rows]}


def history_context(outcome: Outcome, lab: Labels) -> dict[str, Any] | None:
    """What the page's 本周变化 and 趋势 sections show, or None without history."""
    report = outcome.history
    if report is None:
        return None
    page = PAGE_WORDS.get(lab.lang, PAGE_WORDS["zh"])
    w = words(lab.lang)
    out: dict[str, Any] = {"title": page["title"], "trend_title": page["trend"],
                           "first": None, "followthrough": None, "trend": None, "chart": None}
    if report.previous is None or report.followthrough is None or report.changes is None:
        out["first"] = page["first"]
        return out
    ft, ch = report.followthrough, report.changes
    out["compared"] = w["compared"].format(date=report.previous.as_of.isoformat())
    out["line"] = terminal_line(outcome.summary.get("history"), lab.lang)
    out["followthrough_title"] = w["block.followthrough"]
    head = [(w["col.consultant"], "text"), (w["col.listed"], "count"),
            (w["col.done"], "count"), (w["col.on_time"], "count"), (w["col.missed"], "count"),
            (w["col.rate"], "rate")]
    rows = [(who, e["listed"], e["done"], e["on_time"], e["missed"], e["rate"])
            for who, e in ft.by_consultant.items()]
    rows.append((w["total"], ft.listed, ft.done, ft.on_time, ft.missed, ft.rate))
    out["followthrough"] = _table(head, rows)
    out["leads_title"] = w["block.leads"]
    out["leads"] = [(w[f"lead.{k}"], f"{ch.counts[k]:,}") for k in LEAD_KEYS]
    out["transitions_title"] = page["transitions"]
    out["transitions"] = [(pair, f"{n:,}") for pair, n in ch.transitions.items()]
    out["vanished_title"] = w["block.vanished"]
    out["vanished"] = _table(
        [(w["col.consultant"], "text"), (w["col.phone"], "text"), (w["col.grade"], "text"),
         (w["col.latest"], "text"), (w["col.file"], "text"), (w["col.row"], "text")],
        [(s.consultant, s.phone_masked, s.grade,
          _iso(s.latest_contact), s.file, s.row)
         for s in ch.vanished[:LIST_CAP]])
    out["vanished_more"] = _more(ch.counts["vanished"], page)
    out["missed_title"] = w["block.missed"]
    out["missed"] = _table(
        [(w["col.consultant"], "text"), (w["col.phone"], "text"), (w["col.grade"], "text"),
         (w["col.due"], "text"), (w["col.file_now"], "text"), (w["col.row_now"], "text")],
        [(m.task.consultant, m.before.phone_masked, m.now.grade, _iso(m.task.due),
          m.now.file, m.now.row) for m in ft.missed_list[:LIST_CAP]])
    out["missed_more"] = _more(ft.missed, page)
    out["trend"] = _table([(w[f"trend.{k}"], "text" if k == "as_of" else kind)
                           for k, kind in TREND_COLUMNS],
                          [[t.get(k) for k, _ in TREND_COLUMNS] for t in report.trend])
    out["chart"] = trend_svg(report.trend, w)
    return out


def _more(total: int, page: dict[str, str]) -> str | None:
    return page["more"].format(n=f"{total - LIST_CAP:,}") if total > LIST_CAP else None


def _iso(n: int | None) -> str | None:
    d = date_of(n)
    return None if d is None else d.isoformat()


def trend_svg(trend: Sequence[dict[str, Any]], w: dict[str, str]) -> dict[str, Any] | None:
    """Polylines of kept, deals, due and overdue over the runs, scaled to the largest."""
    if len(trend) < 2:
        return None
    top = max((t.get(k) or 0 for t in trend for k, _ in CHART_LINES), default=0) or 1
    step = (CHART_W - 2 * PAD) / (len(trend) - 1)

    def y(v: Any) -> float:
        return round(CHART_H - PAD - (float(v) / top) * (CHART_H - 2 * PAD), 1)

    lines = []
    for i, (key, color) in enumerate(CHART_LINES):
        points = [(round(PAD + j * step, 1), y(t[key])) for j, t in enumerate(trend)
                  if t.get(key) is not None]
        lines.append({"name": w[f"trend.{key}"], "color": color, "legend_x": PAD + i * 120,
                      "points": " ".join(f"{x},{yy}" for x, yy in points),
                      "dots": points})
    labels = [{"x": round(PAD + j * step, 1), "text": t["as_of"][5:]}
              for j, t in enumerate(trend)]
    return {"width": CHART_W, "height": CHART_H, "lines": lines, "labels": labels,
            "top": f"{top:,.0f}", "pad": PAD}
