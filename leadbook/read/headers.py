"""Finding the header row and matching its words to fields (domain.md §6).

Header text is compared after trimming, NFKC (full-width → half-width),
traditional → simplified Chinese (OpenCC), dropping a bracketed unit
("金额（元）") and whitespace. The header may sit below title rows, and below
a merged group row (a two-row header).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from ..values import normalize_text
from ..vocab import WEAK_WORDS

# The header is looked for among the first rows of a sheet (domain.md §6).
HEADER_SEARCH_ROWS = 20
# A lower header row must carry at least this many field words before the
# row above it is read as the upper half of a two-row header.
PAIR_MIN_LOWER = 2

# A bracketed part: a unit ("(元)", "【万元】", "｛万元｝") or a remark ("(必填)",
# "「必填」" as traditional-Chinese forms quote it). Full-width round, square and
# curly brackets are already half-width after NFKC.
_BRACKETED = re.compile(
    r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|【[^【】]*】|〔[^〔〕]*〕|「[^「」]*」|『[^『』]*』"
    r"|〈[^〈〉]*〉|<[^<>]*>"
)
_BRACKETS = re.compile(r"[()\[\]{}【】〔〕「」『』〈〉<>]")
_SPACE = re.compile(r"\s+")
_TRAILING = ":*"  # "姓名：" and the required-field star "*姓名" (after NFKC)
# Rounds beyond the text's length: each bracket round takes away at least two
# characters, so nested brackets ("((元))") are gone within len(text) rounds.
_EXTRA_ROUNDS = 6


def normalise_text(text: str) -> str:
    """A cell value for comparison: trimmed, NFKC, traditional → simplified.

    The same function as :func:`leadbook.values.normalize_text`, so the whole
    program shares one converter and one cache.
    """
    return normalize_text(text)


def _header_round(text: str) -> str:
    s = normalize_text(text)
    without = _BRACKETED.sub("", s)
    # A header that is nothing but brackets ("【客户姓名】") keeps its words.
    s = without if _SPACE.sub("", without).strip(_TRAILING) else _BRACKETS.sub("", s)
    return _SPACE.sub("", s).strip(_TRAILING).lower()


@lru_cache(maxsize=1 << 14)
def normalise_header(text: str) -> str:
    """Header text as compared with the header words; applying it twice changes nothing."""
    current = str(text)
    for _ in range(len(current) + _EXTRA_ROUNDS):
        step = _header_round(current)
        if step == current:
            break
        current = step
    return current


class HeaderMatch(NamedTuple):
    """Where the header is and which column holds which field.

    ``row`` is the 0-based index of the (lower) header row: data starts below
    it. ``headers`` holds the header text as the user wrote it. ``rows`` is 2
    when a group row above carries part of the header.
    """

    row: int
    columns: dict[str, int]
    headers: dict[str, str]
    rows: int

    @property
    def score(self) -> int:
        return len(self.columns)


def word_index(fields: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Normalised header word → field.

    Matching is exact, so two fields can only claim a column through the same
    word; the field listed first keeps it. Callers list the config's extra
    words before the built-in ones, so the store's own words win.
    """
    index: dict[str, str] = {}
    for fld, words in fields.items():
        for word in words:
            key = normalise_header(word)
            if key:
                index.setdefault(key, fld)
    return index


def _fields_of_row(row: Sequence[Any], index: Mapping[str, str]) -> dict[int, tuple[str, str]]:
    """column → (field, text as written) for every cell of the row naming a field."""
    found: dict[int, tuple[str, str]] = {}
    for col, value in enumerate(row):
        if isinstance(value, str) and value:
            fld = index.get(normalise_header(value))
            if fld is not None:
                found[col] = (fld, value.strip())
    return found


@lru_cache(maxsize=1)
def _weak() -> frozenset[tuple[str, str]]:
    return frozenset((f, normalise_header(w)) for f, ws in WEAK_WORDS.items() for w in ws)


def _weak_first(found: Mapping[int, tuple[str, str]], col: int) -> tuple[bool, int]:
    fld, text = found[col]
    return (fld, normalise_header(text)) in _weak(), col


def _take(found: Mapping[int, tuple[str, str]], columns: dict[str, int],
          headers: dict[str, str], allowed: set[int] | None = None) -> None:
    """Each field takes its first matching column, a more specific word before a
    weak one (WEAK_WORDS); a column serves one field."""
    taken = set(columns.values())
    for col in sorted(found, key=lambda c: _weak_first(found, c)):
        fld, text = found[col]
        if fld in columns or col in taken or (allowed is not None and col not in allowed):
            continue
        columns[fld] = col
        headers[fld] = text
        taken.add(col)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def with_extra(
    fields: Mapping[str, Sequence[str]], extra: Mapping[str, Sequence[str]] | None
) -> dict[str, tuple[str, ...]]:
    """The fields' words plus the config's extra words (``[columns]``).

    An extra word goes to the field it is given for, and is taken away from any
    other field that has it built in: the store's own words win.
    """
    extra = {f: tuple(str(w) for w in ws) for f, ws in (extra or {}).items() if f in fields}
    claimed = {normalise_header(w): f for f, ws in extra.items() for w in ws}
    merged: dict[str, tuple[str, ...]] = {}
    for fld, words in fields.items():
        own = tuple(w for w in words if claimed.get(normalise_header(w), fld) == fld)
        merged[fld] = (*extra.get(fld, ()), *own)
    return merged


def _group_row(above: Sequence[Any], header: Sequence[Any]) -> bool:
    """Does the row above the header look like a merged group row ("客户信息", "跟进情况")?"""
    texts = [v for v in above if not _blank(v)]
    if len(texts) < 2 or not all(isinstance(v, str) for v in texts):
        return False
    # Titles and form lines ("门店: XX店", "2026年11月") are not group names.
    if any(any(ch.isdigit() or ch in ":：" for ch in v) for v in texts):
        return False
    return len(texts) < sum(1 for v in header if not _blank(v))


def find_header(
    cells: Sequence[Sequence[Any]], fields: Mapping[str, Sequence[str]]
) -> HeaderMatch | None:
    """The best header among the first 20 rows, or None when no row names a field.

    Each row is scored by how many fields it names; so is each row together
    with the row above it, when the row above fills columns the row itself
    leaves blank (header cells merged down from a group row). The highest score
    wins; on a tie, the single row and the earlier row. ``rows`` is 2 when the
    row above is part of the header: it fills columns, or it is a group row.
    """
    index = word_index(fields)
    rows = [_fields_of_row(r, index) for r in cells[:HEADER_SEARCH_ROWS]]
    best: HeaderMatch | None = None
    for r, found in enumerate(rows):
        if not found:
            continue
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        _take(found, columns, headers)
        candidate = HeaderMatch(r, columns, headers, 1)
        if r > 0 and rows[r - 1] and len(columns) >= PAIR_MIN_LOWER:
            lower = cells[r]
            blank = {c for c in rows[r - 1] if c >= len(lower) or _blank(lower[c])}
            pair_cols, pair_heads = dict(columns), dict(headers)
            _take(rows[r - 1], pair_cols, pair_heads, blank)
            if len(pair_cols) > len(columns):
                candidate = HeaderMatch(r, pair_cols, pair_heads, 2)
        if best is None or candidate.score > best.score:
            best = candidate
    if best is None:
        return None
    if best.rows == 1 and best.row > 0 and _group_row(cells[best.row - 1], cells[best.row]):
        best = best._replace(rows=2)
    order = sorted(best.columns, key=best.columns.__getitem__)  # left to right
    return best._replace(columns={f: best.columns[f] for f in order},
                         headers={f: best.headers[f] for f in order})
