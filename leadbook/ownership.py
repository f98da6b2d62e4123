"""One lead per customer: who owns it, who repeated it (domain.md §4, 先报备者负责).

The same customer is recognised by normalised phone number (:func:`repeats`, on
the rows' columns). The earliest first contact owns the lead, then the earliest
row. A later row by another consultant is an ownership conflict (撞单), by the
same consultant a plain duplicate. Neither is dropped: both are marked and reported.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .daycount import LAST_DAY
from .days import masked_days
from .issue_codes import IssueCode, Part
from .model import Issue, Severity
from .record_types import with_columns
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


def assign_owners(leads: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """The leads' table with every repeated row's owner (``owner``: its position, -1
    for none; ``duplicate``; ``duplicate_kind``) and both rows' hints; one Issue per
    repeated row."""
    first, has_first = masked_days(leads["first_contact"])
    last, has_last = masked_days(leads["last_contact"])
    claims = np.where(has_first, first, np.where(has_last, last, LATEST)).astype(np.int64)
    n = len(leads)
    at, by = repeats(leads["phone"].tolist(), claims, np.arange(n, dtype=np.int64))
    owner = np.full(n, -1, dtype=np.int64)
    owner[at] = by
    kind = np.full(n, "", dtype=object)
    hints = leads["hints"].to_numpy(dtype=object, copy=True)  # new lists where they change
    files, sheets, rows = leads["file"].tolist(), leads["sheet"].tolist(), leads["row"].tolist()
    consultants = leads["consultant"].tolist()
    issues: list[Issue] = []
    for i, o in zip(at.tolist(), by.tolist(), strict=True):
        same = (consultants[i] or "") == (consultants[o] or "")
        kind[i] = REPEAT if same else CONFLICT
        where = Part.AT_ROW(file=files[o], sheet=sheets[o], row=rows[o])
        if same:
            code, values = IssueCode.DUPLICATE_LEAD, said(where=where)
        else:
            code = IssueCode.OWNERSHIP_CONFLICT
            values = said(owner=consultants[o] or Part.NO_CONSULTANT, where=where)
        issue = Issue(files[i], sheets[i], rows[i], None, None, code, values, Severity.WARNING)
        hints[i] = [*hints[i], issue.words]
        at_row = Part.AT_ROW(file=files[i], sheet=sheets[i], row=rows[i])
        hints[o] = [*hints[o],
                    Rule.CONFLICT_NOTE(consultant=consultants[i] or Part.NO_CONSULTANT,
                                       where=at_row)
                    if not same else Rule.REPEAT_NOTE(where=at_row)]
        issues.append(issue)
    table = with_columns(leads, dict(owner=owner, duplicate=owner >= 0, duplicate_kind=kind,
                                     hints=pd.Series(hints, index=leads.index, dtype=object)))
    return table, issues
