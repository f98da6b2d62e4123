"""Words in the run's language: fixed phrases with their values, rendered where written.

A :class:`Phrase` is an enum whose members each carry a stable code and a
template in Chinese and in English naming the values it needs
(``"{column}: {reason}"``). A :class:`Text` is a phrase with its values; a value
may itself be a Text or a Phrase, rendered in the same language. The core makes
Texts and never renders them: the writers do, in the run's language (summary.json,
report.xlsx, the page, the terminal). Nothing here imports the rest of leadbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from string import Formatter
from typing import Union

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LIST_SEPARATOR = {"zh": "、", "en": ", "}

# What a phrase's value may be: plain text or a number, as shown; more words; or
# several values, listed with the language's separator.
Value = Union[str, int, float, None, "Text", "Phrase", tuple["Value", ...]]
Values = tuple[tuple[str, Value], ...]


def _fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


class Phrase(str, Enum):
    """A fixed phrase: ``NAME = "code", "中文模板", "English template"``.

    The value is the code (for scripts and tests); ``needs`` names the values
    both templates use, which a :class:`Text` of the phrase must give.
    """

    _value_: str
    zh: str
    en: str
    needs: frozenset[str]

    def __new__(cls, code: str, zh: str, en: str) -> Phrase:
        member = str.__new__(cls, code)
        member._value_ = code
        member.zh, member.en = zh, en
        member.needs = _fields(zh)
        return member

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return str.__str__(self)

    def __call__(self, **values: Value) -> Text:
        """``Why.NO_SUCH_DAY(date="2026-02-30")``: the phrase with its values, checked."""
        return Text(self, tuple(values.items()))

    def template(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def render(self, lang: str, values: Values = ()) -> str:
        """The phrase in ``lang`` with ``values`` (each rendered in ``lang`` too)."""
        template = self.en if lang == "en" else self.zh
        if not values:
            return template
        return template.format_map({k: shown(v, lang) for k, v in values})


def shown(value: Value, lang: str) -> str | int | float:
    """A value as the phrase shows it: words in ``lang``, None as nothing."""
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, Phrase):
        return value.render(lang)
    if value is None:
        return ""
    if isinstance(value, tuple):
        sep = LIST_SEPARATOR.get(lang, LIST_SEPARATOR[DEFAULT_LANGUAGE])
        return sep.join(str(shown(v, lang)) for v in value)
    return value


@dataclass(frozen=True, slots=True)
class Text:
    """A phrase and its values, rendered in a language only where it is written."""

    phrase: Phrase
    values: Values = ()

    def __post_init__(self) -> None:
        given = {k for k, _ in self.values}
        if given != self.phrase.needs:
            raise TypeError(f"{self.phrase.code} needs {sorted(self.phrase.needs)}, "
                            f"was given {sorted(given)}")

    def render(self, lang: str) -> str:
        return self.phrase.render(lang, self.values)

    def __str__(self) -> str:  # logs and exception text: the default language
        return self.render(DEFAULT_LANGUAGE)


def said(**values: Value) -> Values:
    """The values of an Issue's message: ``said(column="电话", reason=why)``."""
    return tuple(values.items())


Words = Text | Phrase


def render(words: Words | str | None, lang: str) -> str:
    """Words (or text already in words, or nothing) in ``lang``."""
    if words is None:
        return ""
    if isinstance(words, str) and not isinstance(words, Phrase):
        return words
    return words.render(lang)


def joined(parts: tuple[Words, ...] | list[Words], lang: str, sep: str = "; ") -> str:
    """Several phrases in ``lang``, each once, in order."""
    return sep.join(dict.fromkeys(render(p, lang) for p in parts))


class Problem(ValueError):
    """A value that cannot be read, and why in words (``str()`` gives Chinese)."""

    def __init__(self, why: Words) -> None:
        super().__init__(why)
        self.why = why

    def __str__(self) -> str:
        return render(self.why, DEFAULT_LANGUAGE)


def why_of(exc: BaseException) -> Words | str:
    """What an exception says: its words when it carries them, else its text."""
    if isinstance(exc, Problem):
        return exc.why
    return str(exc)


__all__ = ["LANGUAGES", "Phrase", "Problem", "Text", "Value", "Values", "Words", "joined",
           "render", "said", "why_of"]
