"""Grades written as words (重点客户, 普通客户, VIP客户) and the store's aliases for them.

domain.md §6: a store maps its grade words in ``[grading.aliases]``; grade words
with no alias are one issue per sheet naming them and the line that would map
them (not one issue per row). Pure: cell values in, grades and Issues out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .issue_codes import IssueCode, Part
from .model import Issue, Severity
from .texts import said
from .values import normalize_text, parse_grade

# How grade words end (domain.md §6: 重点客户, 普通客户, VIP客户); any other
# unreadable grade ("很高", "优") stays an issue on its own row.
GRADE_WORD_ENDINGS = ("客户", "用户", "客戶", "意向")


def _is_word(text: str) -> bool:
    """A grade word of the store's own (重点客户) rather than a mistyped grade."""
    return len(text) > 2 and text.endswith(GRADE_WORD_ENDINGS)


@dataclass
class GradeWords:
    """Reads grade cells with the store's aliases; remembers the words it could not map."""

    aliases: Mapping[str, str] = field(default_factory=dict)
    # (file, sheet) → word as written → (first Excel row, header text, rows)
    unmapped: dict[tuple[str, str], dict[str, list[Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._alias = {"".join(normalize_text(k).split()).lower(): v
                       for k, v in self.aliases.items()}

    def read(self, value: Any, file: str, sheet: str, row: int, header: str) -> str | None:
        """The grade letter; raises ValueError for a value that is no grade at all."""
        if isinstance(value, str):
            text = "".join(normalize_text(value).split())
            grade = self._alias.get(text.lower())
            if grade is not None:
                return grade
            try:
                return parse_grade(value)
            except ValueError:
                if not _is_word(text):
                    raise
            seen = self.unmapped.setdefault((file, sheet), {})
            entry = seen.setdefault(value.strip(), [row, header, 0])
            entry[2] += 1
            return None
        return parse_grade(value)

    def issues(self) -> list[Issue]:
        """One issue per sheet naming its unmapped grade words and the config lines for them."""
        out = []
        for (file, sheet), words in self.unmapped.items():
            first = min(e[0] for e in words.values())
            header = next(iter(words.values()))[1]
            named = tuple(Part.WORD_ROWS(word=w, rows=e[2]) for w, e in words.items())
            lines = " ".join(f'"{w}" = "A"' for w in words)
            out.append(Issue(
                file, sheet, first, header, None, IssueCode.GRADE_WORDS,
                said(header=header, named=named, lines=lines), Severity.WARNING,
            ))
        return out
