"""Finding the header row and matching its words to fields (domain.md §6).

Header text is compared after trimming, NFKC (full-width → half-width),
traditional → simplified Chinese (OpenCC), dropping a bracketed unit
("金额（元）") and whitespace. The header may sit below title rows, and below
a merged group row (a two-row header).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..values import normalize_text

HEADER_SEARCH_ROWS = 20
_UNIT = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>")
_SPACE = re.compile(r"\s+")
_TRAIL = ":：*＊"


@lru_cache(maxsize=65536)
def normalise_header(text: str) -> str:
    s = normalize_text(str(text))
    s = unicodedata.normalize("NFKC", s)
    prev = None
    while prev != s:  # nested or repeated units
        prev, s = s, _UNIT.sub("", s)
    s = _SPACE.sub("", s).strip(_TRAIL).lower()
    return s


def word_index(fields: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """normalised header word → field; on a clash the field listed first keeps it."""
    index: dict[str, str] = {}
    for fld, words in fields.items():
        for word in words:
            index.setdefault(normalise_header(word), fld)
    return index


@dataclass(frozen=True)
class Header:
    row: int  # 0-based index of the (lower) header row
    rows: int  # 1, or 2 for a group row above
    columns: dict[str, int]
    headers: dict[str, str]

    @property
    def score(self) -> int:
        return len(self.columns)


def _match(cells: Sequence[Any], index: Mapping[str, str], columns: dict[str, int],
           headers: dict[str, str], skip: set[int]) -> None:
    for col, value in enumerate(cells):
        if value is None or col in skip or not isinstance(value, str):
            continue
        fld = index.get(normalise_header(value))
        if fld is not None and fld not in columns:
            columns[fld] = col
            headers[fld] = value.strip()
            skip.add(col)


def find_header(cells: Sequence[Sequence[Any]], index: Mapping[str, str]) -> Header | None:
    """The best header among the first rows: the row (or row pair) matching most fields."""
    best: Header | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(cells))):
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        _match(cells[r], index, columns, headers, set())
        if not columns:
            continue
        candidate = Header(r, 1, columns, headers)
        if r > 0:
            # A two-row header: words in the row above fill the columns the lower row
            # leaves blank (cells merged down from a group row).
            pair_cols, pair_heads = dict(columns), dict(headers)
            _match(cells[r - 1], index, pair_cols, pair_heads, set(columns.values()))
            if len(pair_cols) > len(columns):
                candidate = Header(r, 2, pair_cols, pair_heads)
        if best is None or candidate.score > best.score:
            best = candidate
    return best
