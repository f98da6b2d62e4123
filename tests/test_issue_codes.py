"""The registry of issue codes and the phrases of every message (leadbook.issue_codes,
leadbook.texts): one enum of every code leadbook emits, each with a Chinese and an
English template naming the values it needs, and no code written anywhere else."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import pkgutil
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadbook
from leadbook.horizon import parse_horizon
from leadbook.issue_codes import IssueCode
from leadbook.model import Issue
from leadbook.texts import Phrase, Problem, Text, said
from leadbook.values import (
    parse_count,
    parse_date,
    parse_grade,
    parse_money,
    parse_phone,
    parse_status,
)

ROOT = Path(leadbook.__file__).parent
# The codes summary.json and the 数据问题 sheet carried before the registry: scripts
# depend on them, so none may change its spelling.
CODES = {
    "bad_date", "bad_phone", "bad_grade", "bad_status", "bad_horizon", "bad_number",
    "missing_phone", "missing_consultant", "missing_date", "missing_contact_date",
    "missing_column", "sheet_ignored", "format_mismatch", "duplicate_lead",
    "ownership_conflict", "task_missed", "crosscheck_kept", "grid_month_assumed",
    "grid_day_outside_month", "grid_metric_not_counted", "grid_total_mismatch",
    "grid_overlaps_daily", "grade_words", "history_unavailable", "vanished_lead",
}
# Library text a message must never carry (Python's, the workbook readers', the database's).
LIBRARY_WORDS = ("out of range", "invalid literal", "Error", "object", "NoneType", "errno",
                 "could not convert", "Traceback")


def _phrases() -> list[type[Phrase]]:
    for module in pkgutil.walk_packages(leadbook.__path__, "leadbook."):
        importlib.import_module(module.name)
    found: list[type[Phrase]] = []
    todo = list(Phrase.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("leadbook.")]


PHRASES = _phrases()


def test_the_registry_holds_every_code_spelled_as_before() -> None:
    assert {c.code for c in IssueCode} == CODES
    assert all(c.value == c.code == str(c) for c in IssueCode)


@pytest.mark.parametrize("cls", PHRASES, ids=[c.__qualname__ for c in PHRASES])
def test_every_template_formats_with_the_values_it_declares(cls: type[Phrase]) -> None:
    assert len(cls.__members__) == len(list(cls)), "two members share a code"
    for phrase in cls:
        assert phrase.zh and phrase.en, phrase
        values = said(**{name: f"<{name}>" for name in phrase.needs})
        for lang, template in (("zh", phrase.zh), ("en", phrase.en)):
            names = {n for _, n, _, _ in string.Formatter().parse(template) if n}
            assert names == phrase.needs, (phrase, lang)  # the same values in both languages
            text = phrase.render(lang, values)
            assert all(f"<{name}>" in text for name in phrase.needs), (phrase, lang)
            assert "{" not in text and "}" not in text, (phrase, lang)


def test_a_text_must_give_exactly_the_values_its_phrase_needs() -> None:
    with pytest.raises(TypeError, match="needs"):
        Text(IssueCode.BAD_DATE, said(column="日期"))
    with pytest.raises(TypeError, match="needs"):
        Issue("a.xlsx", "卡", 2, None, None, IssueCode.DUPLICATE_LEAD, said(where="x", row=1))
    issue = Issue("a.xlsx", "卡", 2, None, None, IssueCode.MISSING_PHONE)
    assert issue.as_dict("zh") == {"file": "a.xlsx", "sheet": "卡", "row": 2, "column": None,
                                   "value": None, "severity": "warning",
                                   "code": "missing_phone", "message": "缺少联系电话"}
    assert list(issue.as_dict("en")) == list(issue.as_dict("zh"))


# Families of codes (bad_…, missing_…, grid_…): an f-string starting with one builds a code.
FAMILIES = {head for head in (c.split("_")[0] + "_" for c in CODES)
            if sum(c.startswith(head) for c in CODES) > 1}


def _code_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in CODES:
            found.append((node.lineno, node.value))
        if isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and head.value in FAMILIES:
                found.append((node.lineno, f"f-string {head.value}…"))
    return found


@pytest.mark.slow
def test_no_code_is_written_outside_the_registry() -> None:
    """Issue creation sites name IssueCode members: no code as a string literal, and none
    built up (f"missing_{field}")."""
    outside = {str(p.relative_to(ROOT)): hits for p in sorted(ROOT.rglob("*.py"))
               if p.name != "issue_codes.py" and (hits := _code_literals(p))}
    assert outside == {}


@pytest.mark.slow
def test_every_issue_a_run_makes_has_a_code_of_the_registry(tmp_path: Path) -> None:
    from leadbook.config import Config
    from leadbook.pipeline import analyse

    fixtures = Path(__file__).parent / "fixtures" / "messy"
    analysis = analyse(fixtures, Config(), dt.date(2026, 11, 22))
    issues = analysis.outcome.issues
    assert issues
    assert all(isinstance(i.code, IssueCode) for i in issues)
    assert [i["code"] for i in analysis.outcome.summary["issues"]] == [i.code.code
                                                                       for i in issues]


READERS = [
    lambda v: parse_date(v, as_of=dt.date(2026, 11, 22)),
    lambda v: parse_horizon(v, as_of=dt.date(2026, 11, 22)),
    parse_phone, parse_grade, parse_status, parse_count, parse_money,
]
CELLS = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"\d{1,4}[年/.\-]\d{1,2}[月/.\-]\d{1,2}日?", fullmatch=True),
    st.from_regex(r"\d{1,2}月\d{1,2}日", fullmatch=True),
    st.integers(min_value=-10**13, max_value=10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(), st.times(), st.booleans(),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_a_value_that_cannot_be_read_says_why_in_words(value: object) -> None:
    """Every reader's refusal carries its words (a Problem), in both languages, and never
    the library's text (Python's "day is out of range for month" once did)."""
    for read in READERS:
        try:
            read(value)
        except ValueError as exc:
            assert isinstance(exc, Problem), (value, exc)
            for lang in ("zh", "en"):
                words = exc.why.render(lang)
                assert words and not any(w in words for w in LIBRARY_WORDS), (value, words)
