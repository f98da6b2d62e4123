"""Lead cards written by hand for the rules' and the figures' tests.

leadbook keeps the leads as a table (leadbook.record_types.lead_table); a test
states one lead at a time. A :class:`Card` holds one lead's fields as
attributes; :func:`table` makes the table of some cards, :func:`rule` and
:func:`own` run the library's rules (worklist.apply_rules) and ownership
(ownership.assign_owners) on it and give each card back what its row got, so
that a test reads ``card.grade`` or ``card.hints`` (its annotated row's 提示,
worklist.lead_hints).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pandas as pd

from leadbook.config import Config
from leadbook.days import column_dates
from leadbook.model import Status
from leadbook.ownership import assign_owners
from leadbook.record_types import (
    READ_DATES,
    READ_TEXT,
    RULE_DATES,
    RULE_FLAGS,
    RULE_TEXT,
    leads_from,
)
from leadbook.worklist import apply_rules, lead_hints

FIELDS = dict(
    name=None, phone=None, consultant=None, source=None, model=None, first_contact=None,
    last_contact=None, next_contact=None, delivery_date=None, birthday=None, lost_date=None,
    horizon=None, horizon_text=None, grade_recorded=None, status=Status.ACTIVE,
    lost_reason=None, competitor=None, notes=None,
    # what ownership and the rules give
    grade="", reason="", due_why="", grade_change="", expected=None, next_due=None,
    days_late=None, bucket="", escalation="", owner=None, duplicate_kind="", cadence=0,
    passed=False, requalify=False, no_horizon=False,
)


class Card:
    """One lead card: ``Card(file, sheet, row, seq, **fields)``, the order of the
    cards given to :func:`table` being the reading order (``seq`` is kept only to
    read as a card's number)."""

    def __init__(self, file: str, sheet: str, row: int, seq: int = 0, **fields: Any) -> None:
        self.file, self.sheet, self.row, self.seq = file, sheet, row, seq
        for name, default in FIELDS.items():
            setattr(self, name, fields.pop(name, default))
        if fields:
            raise TypeError(f"no such field: {sorted(fields)}")
        self.found: list[Any] = []  # the hints reading and ownership gave the row
        self.hints: list[Any] = []  # the row's 提示 as the copy says it

    @property
    def is_duplicate(self) -> bool:
        return self.owner is not None


READ = tuple(name for name in FIELDS if name in (*READ_TEXT, *READ_DATES, "horizon", "status"))


def table(cards: Sequence[Card], ruled: bool = True) -> pd.DataFrame:
    """The leads' table of ``cards``, with what ownership and the rules set on them
    (without, when not ``ruled``: the table the rules are given)."""
    position = {id(c): i for i, c in enumerate(cards)}
    rows = []
    for c in cards:
        row = {name: getattr(c, name) for name in (FIELDS if ruled else READ) if name != "owner"}
        row.update(file=c.file, sheet=c.sheet, row=c.row, hints=list(c.found))
        if ruled:
            row["owner"] = -1 if c.owner is None else position[id(c.owner)]
        rows.append(row)
    return leads_from(rows)


def _back(cards: Sequence[Card], ruled: pd.DataFrame, stale_factor: float, lang: str) -> None:
    dates = {name: column_dates(ruled[name]) for name in RULE_DATES}
    late = [None if pd.isna(v) else int(v) for v in ruled["days_late"].tolist()]
    hints = lead_hints(ruled, stale_factor, lang)
    for i, c in enumerate(cards):
        for name in (*RULE_TEXT, *RULE_FLAGS, "cadence"):
            setattr(c, name, ruled[name].iloc[i])
        for name, values in dates.items():
            setattr(c, name, values[i])
        c.days_late, c.hints = late[i], hints[i]


def rule(cards: Sequence[Card], config: Config, as_of: dt.date, lang: str = "zh"
         ) -> pd.DataFrame:
    """worklist.apply_rules over the cards' table; each card gets its row's results."""
    ruled = apply_rules(table(cards, ruled=False), config, as_of, lang)
    _back(cards, ruled, config.stale_factor, lang)
    return ruled


def own(cards: Sequence[Card]) -> list[Any]:
    """ownership.assign_owners over the cards' table: each card gets its owner (a
    card) and how it repeats it, and its hints; the Issues returned."""
    owned, issues = assign_owners(table(cards))
    for c, owner, kind, found in zip(cards, owned["owner"].tolist(),
                                     owned["duplicate_kind"].tolist(), owned["hints"].tolist(),
                                     strict=True):
        c.owner = None if owner < 0 else cards[owner]
        c.duplicate_kind, c.found = kind, list(found)
        c.hints = list(found)
    return issues


def rows_of(leads: pd.DataFrame) -> list[SimpleNamespace]:
    """The rows of a leads' or daily reports' table as records to read fields from:
    dates as ``dt.date`` (or None), ``status`` a Status, ``days_late`` an int or
    None, counts a number or None."""
    columns: dict[str, list[Any]] = {}
    for name in leads.columns:
        column = leads[name]
        if str(column.dtype).startswith("datetime64"):
            columns[name] = column_dates(column)
        elif name == "days_late":
            columns[name] = [None if pd.isna(v) else int(v) for v in column.tolist()]
        elif column.dtype == "float64":  # a count: None where the cell was empty
            columns[name] = [None if v != v else v for v in column.tolist()]
        elif name == "status":
            columns[name] = [Status(v) for v in column.tolist()]
        else:
            columns[name] = column.tolist()
    return [SimpleNamespace(**dict(zip(columns, values, strict=True)))
            for values in zip(*columns.values(), strict=True)]
