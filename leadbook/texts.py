"""Words in the run's language: fixed phrases with their values, rendered where written.

A :class:`Phrase` is an enum whose members each carry a stable code and a
template in Chinese and in English naming the values it needs
(``"{column}: {reason}"``). A :class:`Text` is a phrase with its values; a value
may itself be a Text or a Phrase, rendered in the same language. Issues and the
readers' reasons are Texts, rendered by the writers in the run's language
(summary.json, report.xlsx, the page, the terminal). The rules' reasons and hints,
one or more for every lead, are said at once in the language the run gives them
(:meth:`Phrase.say`): made as Texts and rendered later they took about a second
per 100,000 leads, said at once a sixth of that. Nothing here imports the rest of
leadbook.
"""

from __future__ import annotations

from collections.abc import Iterable
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
        if values.keys() != self.needs:
            _wrong(self, values)
        return tuple.__new__(Text, (self, tuple(values.items())))

    def template(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def say(self, lang: str, **values: str | int | float) -> str:
        """The phrase in ``lang`` at once, its values already words: for the rules'
        reasons and hints, made for every lead, where a Text would cost tenfold."""
        template = self.en if lang == "en" else self.zh
        return template.format_map(values) if values else template

    def render(self, lang: str, values: Values = ()) -> str:
        """The phrase in ``lang`` with ``values`` (each rendered in ``lang`` too)."""
        template = self.en if lang == "en" else self.zh
        if not values:
            return template
        return template.format_map(
            {k: v if type(v) is str or type(v) is int else shown(v, lang) for k, v in values})


def _wrong(phrase: Phrase, given: Iterable[str]) -> None:
    raise TypeError(f"{phrase.code} needs {sorted(phrase.needs)}, was given {sorted(given)}")


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


class Text(tuple):  # type: ignore[type-arg]
    """A phrase and its values, rendered in a language only where it is written.

    A tuple ``(phrase, values)``, which Python makes and pickles the cheapest way
    (the readers' results cross a pipe from the child that read the file)."""

    __slots__ = ()

    def __new__(cls, phrase: Phrase, values: Values = ()) -> Text:
        given = {k for k, _ in values}
        if given != phrase.needs:
            _wrong(phrase, given)
        return tuple.__new__(cls, (phrase, values))

    def __getnewargs__(self) -> tuple[Phrase, Values]:  # pickled as (phrase, values)
        return self[0], self[1]

    @property
    def phrase(self) -> Phrase:
        phrase: Phrase = self[0]
        return phrase

    @property
    def values(self) -> Values:
        values: Values = self[1]
        return values

    def render(self, lang: str) -> str:
        return self.phrase.render(lang, self.values)

    def __str__(self) -> str:  # logs and exception text: the default language
        return self.render(DEFAULT_LANGUAGE)

    def __repr__(self) -> str:
        return f"Text({self[0].code}, {self[1]!r})"


def said(**values: Value) -> Values:
    """The values of an Issue's message: ``said(column="电话", reason=why)``."""
    return tuple(values.items())


Words = Text | Phrase


def render(words: Words | str | None, lang: str) -> str:
    """Words (or text already in words, or nothing) in ``lang``."""
    if type(words) is str:  # the common case: the rules' hints are said at once
        return words
    if words is None:
        return ""
    if isinstance(words, str) and not isinstance(words, Phrase):
        return words
    return words.render(lang)


def joined(parts: Iterable[Words | str], lang: str, sep: str = "; ") -> str:
    """Several phrases in ``lang``, each once, in order."""
    said = [render(p, lang) for p in parts]
    return said[0] if len(said) == 1 else sep.join(dict.fromkeys(said))


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
