"""The records' tables keep their types through ownership and the rules: words are
object columns where an empty cell stays None, dates datetime64, days late Int64."""

from __future__ import annotations

import datetime as dt

from leadbook.config import Config
from leadbook.ownership import assign_owners
from leadbook.record_types import (
    ACTIVITY_TEXT,
    READ_TEXT,
    RULE_TEXT,
    activity_from,
    leads_from,
)
from leadbook.worklist import apply_rules

AS_OF = dt.date(2026, 11, 22)


def test_words_stay_objects_and_an_empty_cell_stays_none() -> None:
    leads = leads_from([
        {"name": "王先生", "phone": "13800000001", "consultant": "张伟",
         "first_contact": dt.date(2026, 11, 2), "horizon_text": "3个月内"},
        {"name": None, "phone": "13800000001", "consultant": None},
    ])
    owned, issues = assign_owners(leads)
    ruled = apply_rules(owned, Config(), AS_OF)
    assert len(issues) == 1
    for name in (*READ_TEXT, *RULE_TEXT, "duplicate_kind", "status", "hints"):
        assert ruled[name].dtype == object, name
    assert ruled["consultant"].tolist()[1] is None and ruled["name"].tolist()[1] is None
    assert str(ruled["next_due"].dtype) == "datetime64[s]"
    assert str(ruled["days_late"].dtype) == "Int64"
    assert ruled["owner"].tolist() == [-1, 0]
    # what the rules were given is as it was
    assert "grade" not in leads.columns and "owner" not in leads.columns
    assert [len(h) for h in leads["hints"].tolist()] == [0, 0]


def test_a_daily_report_without_a_consultant_keeps_none() -> None:
    days = activity_from([{"date": dt.date(2026, 11, 20), "consultant": None, "traffic": 3},
                          {"date": dt.date(2026, 11, 21), "consultant": "张伟"}])
    for name in ACTIVITY_TEXT:
        assert days[name].dtype == object, name
    assert days["consultant"].tolist() == [None, "张伟"]
    assert days["traffic"].tolist()[0] == 3 and days["traffic"].isna().tolist() == [False, True]
