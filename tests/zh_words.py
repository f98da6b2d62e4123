"""How a test reads the words the core gives as codes and phrases: in Chinese, as the
report shows them (leadbook.texts renders them, leadbook.labels names the codes)."""

from __future__ import annotations

from typing import Any

from leadbook.labels import Labels
from leadbook.texts import render

ZH = Labels("zh")


def zh(words: Any) -> str:
    """A phrase, a text or plain text, in Chinese."""
    return render(words, "zh")


def zh_all(words: Any) -> list[str]:
    """Each of a list of phrases (a lead's hints), in Chinese."""
    return [render(w, "zh") for w in words]


def task_word(code: str) -> str:
    return ZH.word("task", code)


def escalation_word(code: str) -> str:
    return ZH.word("esc", code)


def bucket_code(word: str) -> str:
    """The code of a 日程 bucket by its word (逾期 → overdue)."""
    return next(key[len("bucket."):] for key, value in ZH.items()
                if key.startswith("bucket.") and value == word)
