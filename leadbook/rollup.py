"""A dealer group's roll-up of its stores' figures (domain.md §8, group.json).

Pure: the stores' summary.json contents in, ``{"stores": [...], "total": {...}}``
out. Totals add counts and amounts (spend, lost cost) and recompute every rate
from the sums, never an average of rates. A figure that some store could not
compute (traffic without a daily report) has no total: null, with the stores
named. Stores whose as-of date or period differ from the group's are flagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .values import mask_text

# What each store entry carries of its summary.json (domain.md §8).
STORE_KEYS = ("store", "as_of", "period", "leads", "followups", "funnel", "cost")
LEAD_COUNTS = ("rows", "total", "new_in_period", "duplicates", "regraded")
FOLLOWUP_COUNTS = ("due", "overdue", "upcoming", "care", "lost_review")
SPLIT = ("due", "overdue", "upcoming")
FUNNEL_COUNTS = ("traffic", "kept", "followed", "deals")
FOLLOWTHROUGH_COUNTS = ("listed", "done", "on_time", "missed")
# Ranks: (figure, best first) — conversion highest first, cost per lead lowest first.
RANKED = (("funnel", "convert_rate", True), ("cost", "cost_per_lead", False))


@dataclass
class StoreRun:
    """One store as the roll-up sees it: where it came from and its summary, or why not."""

    folder: str
    summary: dict[str, Any] | None
    errors: list[str] = field(default_factory=list)


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def _sum(values: Iterable[Any]) -> float | int | None:
    """The sum, or None when any value is unknown (or there is none)."""
    values = list(values)
    if not values or any(v is None for v in values):
        return None
    total = sum(values)
    return int(total) if float(total).is_integer() and all(
        isinstance(v, int) for v in values) else total


def _masked(value: Any) -> Any:
    """Names in a roll-up are meant to be forwarded: phone-like digits masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {_masked(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def store_entry(run: StoreRun) -> dict[str, Any]:
    """A store's entry of group.json: its summary.json keys, where it came from, its
    status (ok, or error when it gave no figures) and the lines of what went wrong."""
    s = run.summary
    entry: dict[str, Any] = {"folder": run.folder,
                             "status": "ok" if s is not None else "error",
                             "errors": list(run.errors)}
    if s is None:
        entry.update({k: None for k in STORE_KEYS})
        entry["store"] = run.folder
        return _masked(entry)
    for key in STORE_KEYS:
        entry[key] = s.get(key)
    entry["store"] = s.get("store") or run.folder
    history = s.get("history")
    if isinstance(history, dict):
        entry["history"] = {"followthrough": history.get("followthrough"),
                            "trend": history.get("trend") or []}
    return _masked(entry)


def total(entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The group's figures from its stores' (those with figures)."""
    ok = [e for e in entries if e["status"] == "ok"]
    leads = [e["leads"] or {} for e in ok]
    follow = [e["followups"] or {} for e in ok]
    funnels = [e["funnel"] or {} for e in ok]
    costs = [e["cost"] or {} for e in ok]
    by_grade: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for x in leads:
        by_grade.update(x.get("by_grade") or {})
        by_status.update(x.get("by_status") or {})
    by_kind = {
        kind: {k: _sum((f.get("by_kind") or {}).get(kind, {}).get(k, 0) for f in follow) or 0
               for k in SPLIT}
        for kind in ("followup", "care", "lost_review")
    }
    by_consultant = {
        f"{e['store']} · {who}": counts
        for e in ok for who, counts in ((e["followups"] or {}).get("by_consultant") or {}).items()
    }
    funnel: dict[str, Any] = {k: _sum(x.get(k) for x in funnels) for k in FUNNEL_COUNTS}
    funnel.update(
        keep_rate=ratio(funnel["kept"], funnel["traffic"]),
        follow_rate=ratio(funnel["followed"], funnel["kept"]),
        convert_rate=ratio(funnel["deals"], funnel["followed"]),
    )
    spend = _sum(c.get("spend") for c in costs)
    lost = _sum(c.get("lost") for c in costs)
    cost = {
        "spend": spend,
        "cost_per_lead": ratio(spend, funnel["kept"]),
        "lost": lost,
        "lost_share": ratio(lost, funnel["kept"]),
        # An amount, like the spend: what each store's lost customers cost, added up.
        "lost_cost": _sum(c.get("lost_cost") for c in costs),
    }
    out: dict[str, Any] = {
        "stores": len(ok),
        "leads": {**{k: _sum(x.get(k, 0) for x in leads) or 0 for k in LEAD_COUNTS},
                  "by_grade": dict(sorted(by_grade.items())),
                  "by_status": dict(by_status)},
        "followups": {**{k: _sum(f.get(k, 0) for f in follow) or 0 for k in FOLLOWUP_COUNTS},
                      "by_kind": by_kind, "by_consultant": by_consultant},
        "funnel": funnel,
        "cost": cost,
    }
    through = [(e.get("history") or {}).get("followthrough") for e in ok]
    through = [t for t in through if t]
    if through:
        sums = {k: sum(t.get(k) or 0 for t in through) for k in FOLLOWTHROUGH_COUNTS}
        out["history"] = {"followthrough": {**sums, "rate": ratio(sums["done"], sums["listed"])}}
    return out


def flag_mixed(entries: list[dict[str, Any]]) -> None:
    """Mark the stores whose as-of date or period is not the group's most common one."""
    ok = [e for e in entries if e["status"] == "ok"]
    if not ok:
        return
    as_of = Counter(e["as_of"] for e in ok).most_common(1)[0][0]
    period = Counter(_period_key(e) for e in ok).most_common(1)[0][0]
    for e in ok:
        flags = []
        if e["as_of"] != as_of:
            flags.append("as_of")
        if _period_key(e) != period:
            flags.append("period")
        e["flags"] = flags


def _period_key(e: dict[str, Any]) -> tuple[str, str]:
    p = e.get("period") or {}
    return (str(p.get("start")), str(p.get("end")))


def rank(entries: list[dict[str, Any]]) -> None:
    """Each store's rank on conversion (highest first) and cost per lead (lowest first);
    a store without the figure has no rank."""
    for section, key, best_high in RANKED:
        known = [e for e in entries if e["status"] == "ok" and (e[section] or {}).get(key)
                 is not None]
        known.sort(key=lambda e: e[section][key], reverse=best_high)
        place = 0
        previous: Any = object()
        for i, e in enumerate(known, 1):
            value = e[section][key]
            if value != previous:
                place, previous = i, value
            e.setdefault("rank", {})[key] = place
        for e in entries:
            e.setdefault("rank", {}).setdefault(key, None)


def roll_up(runs: Sequence[StoreRun]) -> dict[str, Any]:
    """group.json: every store (in the order given), and the group's total."""
    entries = [store_entry(r) for r in runs]
    flag_mixed(entries)
    rank(entries)
    for e in entries:
        e.setdefault("flags", [])
    return {"stores": entries, "total": total(entries)}
