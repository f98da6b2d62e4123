"""The store's configuration: grading scheme, spend, extra header words.

Read from ``--config FILE``, else ``INBOX/leadbook.toml``, else the defaults
(domain.md §7). A config that cannot be used raises ConfigError (exit 2).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

from .config_keys import ConfigKeyError, check
from .vocab import ACTIVITY_FIELDS, LEAD_FIELDS, SPEND_FIELDS


class ConfigError(Exception):
    """The configuration file is unreadable or holds a value leadbook cannot use."""


@dataclass(frozen=True)
class Grade:
    """One row of a grade table: purchase horizon bound → contact cadence.

    ``within_days`` / ``within_months`` bound the remaining time to the expected
    purchase; both None means "beyond every bound above" (the last grade).
    ``no_need_only`` marks a grade given only to "no need" answers (parts: E).
    """

    grade: str
    every_days: int
    within_days: int | None = None
    within_months: int | None = None
    no_need_only: bool = False


@dataclass(frozen=True)
class Scheme:
    name: str
    grades: tuple[Grade, ...]
    no_need: str  # the grade a "no need" answer takes
    no_need_quasi_lost: bool = False  # habc: C plus a 准战败 suggestion

    @property
    def by_name(self) -> dict[str, Grade]:
        return {g.grade: g for g in self.grades}

    @property
    def horizon_grades(self) -> tuple[Grade, ...]:
        return tuple(g for g in self.grades if not g.no_need_only)

    @property
    def top(self) -> Grade:
        return self.grades[0]

    @property
    def slowest_days(self) -> int:
        return max(g.every_days for g in self.grades)


# Grade presets (domain.md §2 table).
# 4s: dealer manual 方案二 潜在客户分类管理 (seeds/000) for A–D by horizon; the
#     classic OEM ladder weekly / half-month / monthly / quarterly for cadence.
# habc: industry HABC practice at the DCC-tight end (H < 2 d, A < 5 d, B < 7 d).
# parts: auto-parts trade article 好客戶是維護出來的 (seeds/001): daily / weekly /
#     half-month / monthly / yearly logs.
PRESETS: dict[str, Scheme] = {
    "4s": Scheme(
        "4s",
        (
            Grade("A", 7, within_months=3),
            Grade("B", 15, within_months=6),
            Grade("C", 30, within_months=12),
            Grade("D", 90),
        ),
        no_need="D",
    ),
    "habc": Scheme(
        "habc",
        (
            Grade("H", 2, within_days=7),
            Grade("A", 4, within_days=15),
            Grade("B", 7, within_days=30),
            Grade("C", 15),
        ),
        no_need="C",
        no_need_quasi_lost=True,
    ),
    "parts": Scheme(
        "parts",
        (
            Grade("A", 1, within_months=1),
            Grade("B", 7, within_months=3),
            Grade("C", 15, within_months=6),
            Grade("D", 30),
            Grade("E", 365, no_need_only=True),
        ),
        no_need="E",
    ),
}

# Special grades in every scheme (domain.md §2).
NEW, WON, LOST = "N", "O", "F"


@dataclass(frozen=True)
class Config:
    store: str = "XX汽车4S店"
    scheme: Scheme = PRESETS["4s"]
    stale_factor: float = 3
    list_days: int = 7  # the week's work: due, overdue and due within this many days
    spend: float | None = None  # RMB per calendar month, prorated to the period
    spend_by_source: dict[str, float] = field(default_factory=dict)  # RMB per month
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    grade_aliases: dict[str, str] = field(default_factory=dict)  # [grading.aliases]
    source: str = "defaults"  # where the config came from, for the terminal
    history: str = "leadbook-history.sqlite"  # domain.md §10: relative to INBOX, or a URL


KNOWN_FIELDS = set(LEAD_FIELDS) | set(ACTIVITY_FIELDS) | set(SPEND_FIELDS)


NOT_UTF8 = {
    "zh": "{path}: 不是 UTF-8 编码的文本; 请用记事本打开它, 「另存为」时编码选 UTF-8, 再运行",
    "en": "{path}: not UTF-8 text; open it in a text editor and save it as UTF-8, then run again",
}


def load_config(path: Path | None, inbox: Path | None = None, lang: str = "zh") -> Config:
    """``path`` if given, else ``inbox/leadbook.toml`` if present, else defaults.

    Every key is checked first (leadbook.config_keys): an unknown key is named
    with the nearest valid one, a value of the wrong type with the type wanted,
    in the run's language.
    """
    if path is None and inbox is not None and (inbox / "leadbook.toml").is_file():
        path = inbox / "leadbook.toml"
    if path is None:
        return Config()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(NOT_UTF8.get(lang, NOT_UTF8["zh"]).format(path=path)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    try:
        check(data, lang)
    except ConfigKeyError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        return parse_config(data, source=str(path))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def parse_config(data: dict[str, Any], source: str = "config") -> Config:
    store = data.get("store", Config.store)
    if not isinstance(store, str):
        raise ConfigError("store must be text")
    history = data.get("history", Config.history)
    if not isinstance(history, str) or not history.strip():
        raise ConfigError("history must be text: a file name (relative to the inbox) or a "
                          "database URL such as \"postgresql://user@host/db\"")
    grading = _table(data, "grading")
    scheme_name = grading.get("scheme", "4s")
    if scheme_name not in PRESETS:
        raise ConfigError(
            f"grading.scheme = {scheme_name!r} is not a preset; use one of "
            + ", ".join(repr(k) for k in PRESETS)
        )
    scheme = PRESETS[scheme_name]
    if "grades" in grading:
        scheme = _custom_scheme(scheme, grading["grades"])
    stale = grading.get("stale_factor", 3)
    if not isinstance(stale, (int, float)) or isinstance(stale, bool) or stale <= 0:
        raise ConfigError("grading.stale_factor must be a positive number")
    aliases = _grade_aliases(grading.get("aliases", {}), scheme)
    followups = _table(data, "followups")
    list_days = followups.get("list_days", Config.list_days)
    if not isinstance(list_days, int) or isinstance(list_days, bool) or not 0 <= list_days <= 366:
        raise ConfigError("followups.list_days must be a whole number of days from 0 to 366")
    marketing = _table(data, "marketing")
    spend = marketing.get("spend")
    if spend is not None and not _is_money(spend):
        raise ConfigError("marketing.spend must be a number of RMB, not negative")
    by_source_raw = marketing.get("by_source", {})
    if not isinstance(by_source_raw, dict):
        raise ConfigError("marketing.by_source must be a table of channel = amount")
    by_source: dict[str, float] = {}
    for channel, amount in by_source_raw.items():
        if not _is_money(amount):
            raise ConfigError(f"marketing.by_source.{channel} must be a number, not negative")
        by_source[str(channel)] = float(amount)
    columns_raw = _table(data, "columns")
    columns: dict[str, tuple[str, ...]] = {}
    for field_name, words in columns_raw.items():
        if field_name not in KNOWN_FIELDS:
            raise ConfigError(
                f"columns.{field_name}: unknown field; known fields are "
                + ", ".join(sorted(KNOWN_FIELDS))
            )
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ConfigError(f"columns.{field_name} must be a list of header words")
        columns[field_name] = tuple(words)
    return Config(
        store=store,
        scheme=scheme,
        stale_factor=float(stale),
        list_days=list_days,
        spend=None if spend is None else float(spend),
        spend_by_source=by_source,
        columns=columns,
        grade_aliases=aliases,
        source=source,
        history=history.strip(),
    )


def _grade_aliases(raw: Any, scheme: Scheme) -> dict[str, str]:
    """``[grading.aliases]``: a store's grade words → a grade of its scheme (or N, O, F)."""
    if not isinstance(raw, dict):
        raise ConfigError('[grading.aliases] must be a table of "word" = "grade"')
    valid = [g.grade for g in scheme.grades] + [NEW, WON, LOST]
    out: dict[str, str] = {}
    for word, grade in raw.items():
        if not isinstance(grade, str) or grade.strip().upper() not in valid:
            raise ConfigError(f"grading.aliases.{word} = {grade!r}: must be one of the grades "
                              + ", ".join(valid))
        out[str(word)] = grade.strip().upper()
    return out


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}] must be a table")
    return value


def _is_money(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _custom_scheme(preset: Scheme, rows: Any) -> Scheme:
    """``[[grading.grades]]`` replaces the preset's table, in order."""
    if not isinstance(rows, list) or not rows:
        raise ConfigError("[[grading.grades]] must list at least one grade")
    grades: list[Grade] = []
    no_need: str | None = None
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ConfigError(f"grading.grades #{i} must be a table")
        name = row.get("grade")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"grading.grades #{i}: grade must be a letter such as \"A\"")
        name = name.strip().upper()
        if name in (NEW, WON, LOST):
            raise ConfigError(f"grading.grades #{i}: {name} is a special grade (N, O, F)")
        every = row.get("every_days")
        if not isinstance(every, int) or isinstance(every, bool) or every <= 0:
            raise ConfigError(
                f"grading.grades #{i} ({name}): every_days must be a whole number > 0")
        days, months = row.get("within_days"), row.get("within_months")
        if days is not None and months is not None:
            raise ConfigError(f"grading.grades #{i} ({name}): give within_days or within_months")
        for key, val in (("within_days", days), ("within_months", months)):
            if val is not None and (not isinstance(val, int) or isinstance(val, bool) or val < 0):
                raise ConfigError(f"grading.grades #{i} ({name}): {key} must be a whole number")
        only = bool(row.get("no_need", False))
        if only:
            no_need = name
        grades.append(Grade(name, every, days, months, no_need_only=only))
    bounded = [g for g in grades if not g.no_need_only]
    if not bounded:
        raise ConfigError("[[grading.grades]] needs at least one grade for purchase horizons")
    for g in bounded[:-1]:
        if g.within_days is None and g.within_months is None:
            raise ConfigError(
                f"grading grade {g.grade}: only the last grade may omit within_days/within_months"
            )
    if len({g.grade for g in grades}) != len(grades):
        raise ConfigError("[[grading.grades]] names a grade twice")
    return Scheme(
        preset.name + "+custom",
        tuple(grades),
        no_need=no_need or bounded[-1].grade,
        no_need_quasi_lost=False,
    )
