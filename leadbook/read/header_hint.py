"""What to tell the manager when a sheet's header is not understood (domain.md §7).

For a sheet leadbook could not take for a lead card or a daily report: the row
it took for the header, the fields it found there, those it did not, and the
`[columns]` line that would make it read — a header cell of that row left
unmatched that shares the most with the field's own words ("所属顾问" for
销售顾问). The same hint goes with a needed column a read sheet lacks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..vocab import LEAD_FIELDS
from .headers import HEADER_SEARCH_ROWS, find_header, normalise_header

# What a lead card cannot do without (domain.md §6): the customer's phone, who
# owns the lead, a contact date to schedule from.
NEEDED = ("consultant", "phone", "first_contact")
FIELD_WORDS = {"consultant": "销售顾问", "phone": "联系电话", "first_contact": "首次接触日期",
               "name": "客户姓名", "last_contact": "最近跟进日期", "date": "日期"}


@dataclass(frozen=True)
class HeaderGuess:
    """The row taken for the header (Excel's number), what it names and what else it holds."""

    row: int
    found: dict[str, str] = field(default_factory=dict)  # field → header text
    others: tuple[str, ...] = ()  # the row's other header texts


def guess_header(cells: Sequence[Sequence[Any]],
                 fields: Mapping[str, Sequence[str]] = LEAD_FIELDS) -> HeaderGuess | None:
    """The most header-like row of the first 20: the one naming the most lead fields,
    else the one with the most text cells. None for a sheet with no text at all."""
    match = find_header(cells, fields)
    if match is not None:
        row = cells[match.row]
        taken = set(match.columns.values())
        others = tuple(str(v).strip() for c, v in enumerate(row)
                       if c not in taken and isinstance(v, str) and v.strip())
        return HeaderGuess(match.row + 1, dict(match.headers), others)
    best, count = -1, 0
    for r, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        n = sum(1 for v in row if isinstance(v, str) and v.strip())
        if n > count:
            best, count = r, n
    if best < 0:
        return None
    texts = tuple(str(v).strip() for v in cells[best] if isinstance(v, str) and v.strip())
    return HeaderGuess(best + 1, {}, texts)


def suggest(fld: str, others: Sequence[str],
            fields: Mapping[str, Sequence[str]] = LEAD_FIELDS) -> str | None:
    """The header text most likely meant for ``fld``: sharing at least two characters
    (顾问, 电话, 日期) with one of the field's words."""
    words = [normalise_header(w) for w in fields.get(fld, ())]
    best, score = None, 1
    for text in others:
        mine = normalise_header(text)
        shared = max((len(set(mine) & set(w)) for w in words), default=0)
        if shared > score:
            best, score = text, shared
    return best


def columns_line(fld: str, header: str) -> str:
    """The config line that reads ``header`` as ``fld``."""
    return f'[columns] {fld} = ["{header}"]'


def sheet_hint(file: str, sheet: str, guess: HeaderGuess | None) -> list[str]:
    """Lines saying what was found in a sheet not taken for a lead card or daily report."""
    if guess is None:
        return [f"{file}「{sheet}」: 没有表头文字 (空表或只有数字)"]
    found = "、".join(f"{h} ({f})" for f, h in guess.found.items()) or "无"
    missing = [f for f in NEEDED if f not in guess.found]
    lines = [f"{file}「{sheet}」: 第 {guess.row} 行当作表头; 认出 {found}; "
             f"缺 {'、'.join(f'{FIELD_WORDS[f]} ({f})' for f in missing) or '无'}"]
    for fld in missing:
        header = suggest(fld, guess.others)
        if header:
            lines.append(f"    如果「{header}」就是{FIELD_WORDS[fld]}, 在 leadbook.toml 里加一行: "
                         f"{columns_line(fld, header)}")
    return lines
