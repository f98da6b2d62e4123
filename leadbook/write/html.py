"""summary.html: one self-contained page to open, print or forward (domain.md §8).

Inline CSS, charts as inline SVG built here, no script and no fetch of any
kind (a Content-Security-Policy in the page forbids them). Jinja2 escapes
every value. Phones appear masked only: the due lists use ``phone_masked`` and
every other text from the workbooks goes through ``mask_text``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ..cells import MISSING, clean
from ..labels import Labels
from ..model import Issue, Outcome
from ..spend import spend_text
from ..values import mask_text
from ..worklist import CARE, FOLLOWUP, REVIEW
from .atomic import write_text
from .html_history import history_context

TEMPLATE = "summary.html.j2"
DUE_CAP = 50  # rows per consultant in the page; the rest is in report.xlsx
ISSUE_CAP = 200
CHANNEL_BARS = 12
FOLLOWUP_KEYS = ("due", "overdue", "upcoming", "care", "lost_review")
FUNNEL_STAGES = ("traffic", "kept", "followed", "deals")
FUNNEL_RATES = ("keep_rate", "follow_rate", "convert_rate")
FUNNEL_COLORS = ("#1F4E79", "#2E75B6", "#5B9BD5", "#548235")


def masked(value: Any) -> str:
    """Text from a workbook as the page shows it: phone-like digit runs masked."""
    value = clean(value)
    if value is None:
        return ""
    return mask_text(str(value))


def write_html(outcome: Outcome, target: Path) -> Path:
    """Write summary.html to ``target`` (atomically) and return ``target``."""
    target = Path(target)
    write_text(target, render_html(outcome))
    return target


def render_html(outcome: Outcome) -> str:
    lab = Labels(outcome.lang)
    return template_env().get_template(TEMPLATE).render(**context(outcome, lab))


# --- the template -----------------------------------------------------------


def _load(name: str) -> str | None:
    """The template from the installed package, else from the source checkout."""
    try:
        from importlib.resources import files

        packaged = files("leadbook") / "templates" / name
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    checkout = Path(__file__).resolve().parents[2] / "templates" / name
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    return None


@lru_cache(maxsize=1)
def template_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["masked"] = masked
    return env


# --- figures as text ----------------------------------------------------------


def count(v: Any) -> str:
    v = clean(v)
    return MISSING if v is None else f"{v:,.0f}"


def money(v: Any) -> str:
    v = clean(v)
    if v is None:
        return MISSING
    return f"{v:,.0f}" if round(float(v), 2).is_integer() else f"{v:,.2f}"


def rate(v: Any) -> str:
    v = clean(v)
    return MISSING if v is None else f"{v:.1%}"


FORMAT = {"count": count, "money": money, "rate": rate}


def context(outcome: Outcome, lab: Labels) -> dict[str, Any]:
    s = outcome.summary
    funnel = s.get("funnel") or {}
    cost = s.get("cost") or {}
    follow = s.get("followups") or {}
    period = lab.fmt("text.period", start=outcome.period_start.isoformat(),
                     end=outcome.period_end.isoformat())
    return {
        "L": lab,
        "lang": lab.html_lang,
        "store": outcome.store,
        "period": period,
        "as_of": lab.fmt("text.as_of", date=outcome.as_of.isoformat()),
        "kpis": kpis(funnel, cost, lab, spend_text(outcome.spend_parts, lab)),
        "funnel": funnel_svg(funnel, lab),
        "formulas": formulas(funnel, cost, lab),
        "followups": [
            (key, lab.fmt(f"fu.{key}", n=outcome.list_days), count(follow.get(key)),
             "bad" if key == "overdue" else "")
            for key in FOLLOWUP_KEYS
        ],
        "due_note": lab.fmt("text.due_note", n=outcome.list_days),
        "groups": due_groups(outcome.tasks, lab, outcome.list_days),
        "channels": table(outcome.channels, [
            ("source", "text"), ("leads", "count"), ("won", "count"), ("lost", "count"),
            ("conversion", "rate"), ("spend", "money"), ("cost_per_lead", "money"),
            ("cost_per_deal", "money"), ("lost_cost", "money")], lab),
        "channel_bars": channel_bars(outcome.channels),
        "consultants": table(outcome.consultants, consultant_columns(outcome.consultants), lab,
                             outcome.list_days),
        "files": files(s.get("files") or [], lab),
        "issue_counts": Counter((i.severity.value, i.code.code)
                                for i in outcome.issues).most_common(),
        "issues": [_issue_row(i, outcome.lang) for i in outcome.issues[:ISSUE_CAP]],
        "issues_more": max(0, len(outcome.issues) - ISSUE_CAP),
        "generated": lab["text.generated"],
        "history": history_context(outcome, lab),  # 本周变化 and 趋势 (§10)
    }


def _issue_row(issue: Issue, lang: str) -> dict[str, Any]:
    """An issue as the page shows it: its message in the run's language."""
    return {"severity": issue.severity, "message": issue.message(lang), "value": issue.value,
            "file": issue.file, "sheet": issue.sheet, "row": issue.row,
            "column": issue.column, "code": issue.code.code}


def kpis(funnel: dict[str, Any], cost: dict[str, Any], lab: Labels, spend_made_of: str = ""
         ) -> list[dict[str, Any]]:
    cards = [
        ("traffic", count(funnel.get("traffic")), lab["how.traffic"]),
        ("keep_rate", rate(funnel.get("keep_rate")),
         f"{lab['kpi.kept']} {count(funnel.get('kept'))}"),
        ("follow_rate", rate(funnel.get("follow_rate")),
         f"{lab['kpi.followed']} {count(funnel.get('followed'))}"),
        ("convert_rate", rate(funnel.get("convert_rate")),
         f"{lab['kpi.deals']} {count(funnel.get('deals'))}"),
        ("spend", money(cost.get("spend")), spend_made_of or lab["how.spend"]),
        ("cost_per_lead", money(cost.get("cost_per_lead")), lab["how.cost_per_lead"]),
        ("lost_share", rate(cost.get("lost_share")),
         f"{lab['kpi.lost']} {count(cost.get('lost'))}"),
        ("lost_cost", money(cost.get("lost_cost")), lab["how.lost_cost"]),
    ]
    return [{"key": k, "label": lab[f"kpi.{k}"], "value": v, "note": note,
             "missing": v == MISSING} for k, v, note in cards]


def formulas(funnel: dict[str, Any], cost: dict[str, Any], lab: Labels) -> list[tuple[str, str]]:
    f = {**funnel, **cost}
    return [
        (lab["formula.sales"], lab.fmt(
            "formula.sales_filled", deals=count(f.get("deals")), traffic=count(f.get("traffic")),
            keep_rate=rate(f.get("keep_rate")), follow_rate=rate(f.get("follow_rate")),
            convert_rate=rate(f.get("convert_rate")))),
        (lab["formula.lost_cost"], lab.fmt(
            "formula.lost_cost_filled", lost_cost=money(f.get("lost_cost")),
            lost=count(f.get("lost")), spend=money(f.get("spend")), kept=count(f.get("kept")))),
    ]


def funnel_svg(funnel: dict[str, Any], lab: Labels) -> dict[str, Any]:
    """Centred bars traffic → kept → followed → deals, joined by trapezoids showing the rates."""
    width, left, right, bar_h, gap = 480, 96, 380, 34, 30
    span, centre = right - left, (left + right) / 2
    values = [clean(funnel.get(k)) for k in FUNNEL_STAGES]
    known = [v for v in values if v is not None]
    scale = max(known) if known and max(known) > 0 else None
    bars: list[dict[str, Any]] = []
    joins: list[dict[str, Any]] = []
    for i, (key, v) in enumerate(zip(FUNNEL_STAGES, values, strict=True)):
        y = 6 + i * (bar_h + gap)
        if v is None:
            w = float(span)  # an empty dashed outline: the figure is unknown
        else:
            w = max(4.0, span * v / scale) if scale else 4.0
        bars.append({
            "x": round(centre - w / 2, 1), "y": y, "w": round(w, 1), "h": bar_h,
            "color": FUNNEL_COLORS[i], "missing": v is None,
            "label": lab[f"kpi.{key}"], "label_x": left - 8, "text_y": y + bar_h / 2 + 5,
            "value": count(v), "value_x": round(centre + w / 2 + 6, 1),
        })
    for i, key in enumerate(FUNNEL_RATES):
        top, bottom = bars[i], bars[i + 1]
        y0, y1 = top["y"] + bar_h, bottom["y"]
        points = [(top["x"], y0), (top["x"] + top["w"], y0),
                  (bottom["x"] + bottom["w"], y1), (bottom["x"], y1)]
        joins.append({
            "points": " ".join(f"{x:g},{y:g}" for x, y in points),
            "text": f"{lab[f'kpi.{key}']} {rate(funnel.get(key))}",
            "x": centre, "y": (y0 + y1) / 2 + 5,
        })
    height = bars[-1]["y"] + bar_h + 6
    return {"width": width, "height": height, "bars": bars, "joins": joins,
            "title": lab["text.chart_funnel"]}


def channel_bars(frame: Any) -> dict[str, Any] | None:
    """Leads (blue) with won (green) over it, per channel, the largest first."""
    if frame is None or len(frame) == 0:
        return None
    rows = frame.head(CHANNEL_BARS).to_dict("records")
    top = max((clean(r.get("leads")) or 0) for r in rows) or 1
    left, span, row_h = 112, 300, 26
    out = []
    for i, r in enumerate(rows):
        leads, won = clean(r.get("leads")) or 0, clean(r.get("won")) or 0
        name = masked(r.get("source"))
        out.append({
            "y": 4 + i * row_h, "name": name if len(name) <= 8 else name[:7] + "…",
            "full": name, "leads_w": round(span * leads / top, 1),
            "won_w": round(span * won / top, 1), "text": f"{count(leads)} / {count(won)}",
            "text_x": left + round(span * leads / top, 1) + 6,
        })
    return {"width": 480, "height": 8 + len(out) * row_h, "left": left, "rows": out}


def due_groups(tasks: Any, lab: Labels, list_days: int = 7) -> list[dict[str, Any]]:
    """Per consultant: the week's work (the task table is exactly that), most
    urgent first, at most DUE_CAP rows; the head counts it as every output does."""
    if tasks is None or len(tasks) == 0:
        return []
    # Column-wise: a row at a time through pandas costs seconds at 100,000 leads.
    columns = {c: tasks[c].tolist() for c in tasks.columns}
    lates, kinds, who_col = columns["days_late"], columns["kind"], columns["consultant"]
    groups: dict[str, dict[str, Any]] = {}
    masked_who: dict[Any, str] = {}
    for i in range(len(tasks)):
        late = clean(lates[i])
        if late is None:
            continue
        who = masked_who.get(who_col[i])
        if who is None:
            who = masked_who[who_col[i]] = masked(who_col[i]) or lab["text.unknown"]
        g = groups.setdefault(who, {"name": who, "rows": [], "due": 0, "overdue": 0,
                                    "upcoming": 0, "care": 0, "lost_review": 0})
        kind = kinds[i]
        if kind == FOLLOWUP:
            g["due" if late >= 0 else "upcoming"] += 1
            g["overdue"] += late > 0
        elif kind == CARE:
            g["care"] += 1
        elif kind == REVIEW:
            g["lost_review"] += 1
        g["rows"].append((i, late))
    out = []
    for g in groups.values():
        rows = g["rows"]
        out.append({
            # Only the rows shown are rendered: a group-wide list can be tens of thousands.
            "name": g["name"],
            "rows": [_task_row({c: v[i] for c, v in columns.items()}, late, lab)
                     for i, late in rows[:DUE_CAP]],
            "more": lab.fmt("text.more", n=len(rows) - DUE_CAP) if len(rows) > DUE_CAP else "",
            "head": lab.followups(g, list_days),
        })
    return out


def _task_row(rec: dict[str, Any], late: int, lab: Labels) -> dict[str, str]:
    if late > 0:
        state, css = lab.fmt("text.late", n=late), "overdue"
    elif late == 0:
        state, css = lab["text.today"], "today"
    else:
        state, css = lab.fmt("text.upcoming", n=-late), "soon"
    due = clean(rec.get("due"))
    return {
        "css": css, "state": state,
        "task": lab.word("task", clean(rec.get("task"))),
        "due": due.isoformat()[:10] if isinstance(due, (dt.date, dt.datetime)) else "",
        "escalation": lab.word("esc", clean(rec.get("escalation"))),
        "name": masked(rec.get("name")),
        "phone": masked(rec.get("phone_masked")),
        "grade": masked(rec.get("grade")),
        "model": masked(rec.get("model")),
        "source": masked(rec.get("source")),
        "reason": masked(rec.get("reason")),
    }


def consultant_columns(frame: Any) -> list[tuple[str, str]]:
    grades = [c for c in frame.columns if str(c).startswith("grade_")]
    return [
        ("consultant", "text"), ("traffic", "count"), ("kept", "count"), ("keep_rate", "rate"),
        ("followed", "count"), ("follow_rate", "rate"), ("deals", "count"),
        ("convert_rate", "rate"), *[(g, "count") for g in grades], ("due", "count"),
        ("overdue", "count"), ("upcoming", "count"), ("on_time_share", "rate"),
    ]


def table(frame: Any, cols: list[tuple[str, str]], lab: Labels, list_days: int = 7
          ) -> dict[str, Any]:
    headers = {"due": lab["col.due_count"], "overdue": lab["col.overdue"],
               "upcoming": lab.fmt("col.upcoming", n=list_days)}
    head = [{"text": headers.get(k, lab.column(k)), "num": kind != "text"} for k, kind in cols]
    rows = []
    if frame is not None and len(frame):
        for rec in frame.to_dict("records"):
            rows.append([
                {"text": FORMAT[kind](rec.get(k)) if kind in FORMAT else masked(rec.get(k)),
                 "num": kind != "text"}
                for k, kind in cols
            ])
    return {"head": head, "rows": rows}


def files(entries: list[dict[str, Any]], lab: Labels) -> list[dict[str, Any]]:
    out = []
    for f in entries:
        rows = sum(int(sh.get("rows") or 0) for sh in f.get("sheets") or [])
        out.append({
            "path": masked(f.get("path")),
            "status": lab.word("status", f.get("status")),
            "bad": f.get("status") == "error",
            "message": masked(f.get("message")),
            "rows": lab.fmt("text.rows", n=rows) if f.get("sheets") else "",
        })
    return out
