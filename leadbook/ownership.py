"""One lead per customer: who owns it, who repeated it (domain.md §4, 先报备者负责).

The same customer is recognised by normalised phone number (:func:`repeats`, on
the rows' columns). The earliest first contact owns the lead, then the earliest
row. A later row by another consultant is an ownership conflict (撞单), by the
same consultant a plain duplicate. Neither is dropped: both are marked and reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .days import LAST_DAY, day_number
from .issue_codes import IssueCode, Part
from .model import Issue, Severity
from .records import Lead
from .rule_words import Rule
from .texts import said

CONFLICT, REPEAT = "conflict", "repeat"
LATEST = LAST_DAY  # the claim of a row with no contact date


def repeats(phones: Sequence[str | None], claims: np.ndarray, seq: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Each row that repeats a customer's phone number, and the row that owns it
    (positions): the earliest claim (first contact, else latest contact, as a day
    number), then the earliest row. In the order they are reported: customers in the
    order their first row comes, each customer's rows by claim."""
    rows = pd.DataFrame({"phone": pd.Series(list(phones), dtype=object), "claim": claims,
                         "seq": seq, "pos": np.arange(len(phones))})
    named = rows[rows["phone"].notna().to_numpy() & (rows["phone"] != "").to_numpy()]
    named = named.assign(met=named.groupby("phone", sort=False)["pos"].transform("min"))
    ordered = named.sort_values(["met", "claim", "seq"], kind="mergesort")
    owner = ordered.groupby("phone", sort=False)["pos"].transform("first").to_numpy()
    repeated = ordered["pos"].to_numpy() != owner
    return ordered["pos"].to_numpy()[repeated], owner[repeated]


def assign_owners(leads: Iterable[Lead]) -> list[Issue]:
    """Mark every repeated row with its owner; return one Issue per repeated row."""
    leads = list(leads)
    claimed = [lead.first_contact or lead.last_contact for lead in leads]
    claims = np.array([LATEST if day is None else day_number(day) for day in claimed],
                      dtype=np.int64)
    seq = np.array([lead.seq for lead in leads], dtype=np.int64)
    issues: list[Issue] = []
    for at, by in zip(*repeats([lead.phone for lead in leads], claims, seq), strict=True):
        lead, owner = leads[at], leads[by]
        lead.owner = owner
        same = (lead.consultant or "") == (owner.consultant or "")
        lead.duplicate_kind = REPEAT if same else CONFLICT
        where = Part.AT_ROW(file=owner.file, sheet=owner.sheet, row=owner.row)
        if same:
            code, values = IssueCode.DUPLICATE_LEAD, said(where=where)
        else:
            code = IssueCode.OWNERSHIP_CONFLICT
            values = said(owner=owner.consultant or Part.NO_CONSULTANT, where=where)
        issue = Issue(lead.file, lead.sheet, lead.row, None, None, code, values,
                      Severity.WARNING)
        lead.hints.append(issue.words)
        at_row = Part.AT_ROW(file=lead.file, sheet=lead.sheet, row=lead.row)
        owner.hints.append(
            Rule.CONFLICT_NOTE(consultant=lead.consultant or Part.NO_CONSULTANT, where=at_row)
            if not same else Rule.REPEAT_NOTE(where=at_row))
        issues.append(issue)
    return issues
