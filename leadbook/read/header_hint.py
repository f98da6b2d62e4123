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
WORDS = {
    "zh": {"no_text": "{file}「{sheet}」: 没有表头文字 (空表或只有数字)",
           "sheet": "{file}「{sheet}」: 第 {row} 行当作表头; 认出 {found}; 缺 {missing}",
           "none": "无", "sep": "、",
           "fix": "    如果「{header}」就是{word}, 在 leadbook.toml 里加一行: {line}",
           "head": "没有找到意向客户表或销售活动日报表, 本次没有可统计的线索。看过的文件:",
           "empty": "  (收件箱是空的: 请把各顾问的 .xlsx / .xls / .csv 表格放进去)",
           "spend": "  {file}「{sheet}」: 营销费用表"},
    "en": {"no_text": "{file} “{sheet}”: no header text (an empty sheet, or numbers only)",
           "sheet": "{file} “{sheet}”: row {row} taken for the header; found {found}; "
                    "missing {missing}",
           "none": "none", "sep": ", ",
           "fix": "    if “{header}” is the {word} column, add this line to leadbook.toml: {line}",
           "head": "no lead card (意向客户管理卡) or daily report (销售活动日报表) found, so "
                   "there are no leads to count. Files looked at:",
           "empty": "  (the inbox is empty: put the consultants' .xlsx / .xls / .csv sheets in it)",
           "spend": "  {file} “{sheet}”: a marketing spend sheet"},
}


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


def sheet_hint(file: str, sheet: str, guess: HeaderGuess | None, lang: str = "zh") -> list[str]:
    """Lines saying what was found in a sheet not taken for a lead card or daily report."""
    w = WORDS.get(lang, WORDS["zh"])
    if guess is None:
        return [w["no_text"].format(file=file, sheet=sheet)]
    found = w["sep"].join(f"{h} ({f})" for f, h in guess.found.items()) or w["none"]
    missing = [f for f in NEEDED if f not in guess.found]
    lines = [w["sheet"].format(
        file=file, sheet=sheet, row=guess.row, found=found,
        missing=w["sep"].join(f"{FIELD_WORDS[f]} ({f})" for f in missing) or w["none"])]
    for fld in missing:
        header = suggest(fld, guess.others)
        if header:
            lines.append(w["fix"].format(header=header, word=FIELD_WORDS[fld],
                                         line=columns_line(fld, header)))
    return lines
