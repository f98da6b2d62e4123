"""The roll-up's outputs: group.json, group.xlsx and group.html (domain.md §8).

group.html is one self-contained page like summary.html (no script, no fetch,
the same style sheet), readable on a phone: the group's figures, the stores
without figures and those with another as-of date or period, the stores
ranked on conversion, and the comparison table. It holds no phone number:
the roll-up carries none, and every name in it is masked (leadbook.rollup).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..cells import MISSING
from ..labels import Labels
from .atomic import write_text
from .group_xlsx import by_conversion, compare_columns, compare_row, store_note, write_group_xlsx
from .html import FORMAT, count, money, rate, template_env

TEMPLATE = "group.html.j2"
BARS = 30
KIND_FORMAT = {"count": "count", "money": "money", "rate": "rate"}


def write_group_outputs(group: dict[str, Any], out: Path, lang: str = "zh"
                        ) -> tuple[list[Path], list[str]]:
    """group.json, group.xlsx and group.html into ``out``; (written, error lines)."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    errors: list[str] = []
    steps = (
        ("group.json", lambda p: write_text(p, json.dumps(group, ensure_ascii=False,
                                                          indent=2) + "\n")),
        ("group.xlsx", lambda p: write_group_xlsx(group, p, lang)),
        ("group.html", lambda p: write_text(p, render_group_html(group, lang))),
    )
    for name, write in steps:
        target = out / name
        try:
            write(target)
        except OSError as exc:
            errors.append(f"{name}: 无法写入 ({exc.strerror or type(exc).__name__})")
        else:
            written.append(target)
    return written, errors


def render_group_html(group: dict[str, Any], lang: str = "zh") -> str:
    lab = Labels(lang)
    return template_env().get_template(TEMPLATE).render(**group_context(group, lab))


def group_context(group: dict[str, Any], lab: Labels) -> dict[str, Any]:
    t = group["total"]
    funnel, cost, follow = t["funnel"], t["cost"], t["followups"]
    through = (t.get("history") or {}).get("followthrough") or {}
    cards = [
        ("leads", lab["col.leads_total"], count(t["leads"].get("total"))),
        ("due", lab["fu.due"], count(follow.get("due"))),
        ("overdue", lab["fu.overdue"], count(follow.get("overdue"))),
        ("followthrough", lab["col.followthrough"], rate(through.get("rate"))),
        ("traffic", lab["kpi.traffic"], count(funnel.get("traffic"))),
        ("kept", lab["kpi.kept"], count(funnel.get("kept"))),
        ("deals", lab["kpi.deals"], count(funnel.get("deals"))),
        ("convert_rate", lab["kpi.convert_rate"], rate(funnel.get("convert_rate"))),
        ("spend", lab["kpi.spend"], money(cost.get("spend"))),
        ("cost_per_lead", lab["kpi.cost_per_lead"], money(cost.get("cost_per_lead"))),
        ("lost_share", lab["kpi.lost_share"], rate(cost.get("lost_share"))),
        ("lost_cost", lab["kpi.lost_cost"], money(cost.get("lost_cost"))),
    ]
    cols = compare_columns(lab)
    stores = by_conversion(group["stores"])
    rows = []
    for entry in stores:
        css = "flagged" if entry.get("flags") or entry["status"] != "ok" else ""
        rows.append({"css": css, "cells": _cells(compare_row(entry, lab), cols)})
    total = compare_row({**t, "status": "ok"}, lab, name=lab["col.total"])
    rows.append({"css": "total", "cells": _cells(total, cols)})
    title = lab.fmt("text.group_title", n=t["stores"])
    as_ofs = sorted({e["as_of"] for e in group["stores"] if e.get("as_of")})
    return {
        "L": lab,
        "lang": lab.html_lang,
        "title": title,
        "subtitle": " · ".join(lab.fmt("text.as_of", date=d) for d in as_ofs),
        "kpis": [{"key": k, "label": label, "value": v, "missing": v == MISSING}
                 for k, label, v in cards],
        "failed": [{"store": e["store"], "note": store_note(e, lab)}
                   for e in group["stores"] if e["status"] != "ok"],
        "mixed": [{"store": e["store"], "note": store_note(e, lab)}
                  for e in group["stores"] if e["status"] == "ok" and e.get("flags")],
        "bars": _bars(stores),
        "head": [{"text": c.header, "num": c.kind != "text" and c.key != "period"}
                 for c in cols],
        "rows": rows,
        "generated": lab["text.generated"],
    }


def _cells(values: list[Any], cols: list[Any]) -> list[dict[str, Any]]:
    cells = []
    for value, col in zip(values, cols, strict=True):
        kind = KIND_FORMAT.get(col.kind)
        text = FORMAT[kind](value) if kind else "" if value is None else str(value)
        cells.append({"text": text, "num": col.kind != "text"})
    return cells


def _bars(stores: list[dict[str, Any]]) -> dict[str, Any] | None:
    shown = [s for s in stores if (s.get("funnel") or {}).get("convert_rate") is not None][:BARS]
    if not shown:
        return None
    top = max(s["funnel"]["convert_rate"] for s in shown) or 1
    left, span, row_h = 120, 280, 26
    out = []
    for i, s in enumerate(shown):
        value = s["funnel"]["convert_rate"]
        w = round(span * value / top, 1)
        name = str(s["store"])
        out.append({"y": 4 + i * row_h, "name": name if len(name) <= 8 else name[:7] + "…",
                    "full": name, "w": w, "text": rate(value), "text_x": left + w + 6})
    return {"width": 480, "height": 8 + len(out) * row_h, "left": left, "rows": out}
