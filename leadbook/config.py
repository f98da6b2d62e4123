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

import logging
import re

from .config_keys import ConfigKeyError, check
from .texts import Phrase, Text, render
from .vocab import ACTIVITY_FIELDS, LEAD_FIELDS, SPEND_FIELDS

log = logging.getLogger("leadbook")


class ConfigWhy(Phrase):
    """Why a configuration cannot be used (``NAME = code, zh, en``)."""

    IN_FILE = "config_in_file", "{path}: {why}", "{path}: {why}"
    NOT_FOUND = (
        "config_not_found", "{path}: 找不到这个设置文件; 请检查 --config 给出的路径",
        "{path}: no such config file; check the path given to --config")
    NOT_READ = (
        "config_not_read", "{path}: 无法读取设置文件 ({why})",
        "{path}: the config file cannot be read ({why})")
    NOT_UTF8 = (
        "config_not_utf8",
        "{path}: 不是 UTF-8 编码的文本; 请用记事本打开它, 「另存为」时编码选 UTF-8, 再运行",
        "{path}: not UTF-8 text; open it in a text editor and save it as UTF-8, then run again")
    NO_PERMISSION = "config_no_permission", "没有读取权限", "no permission to read it"
    A_FOLDER = "config_a_folder", "这是文件夹, 不是文件", "it is a folder, not a file"
    NOT_TOML = (
        "config_not_toml",
        "{path}: 第 {line} 行第 {column} 列附近的写法不对; 每行应是 键 = 值, 文字加英文引号 "
        "(store = \"一店\"), 段名写在方括号里 ([marketing])",
        "{path}: line {line}, column {column} is not written as leadbook.toml expects; each line "
        "is key = value, text in quotes (store = \"Store 1\"), section names in brackets "
        "([marketing])")
    NOT_TOML_SOMEWHERE = (
        "config_not_toml_somewhere",
        "{path}: 写法不对; 每行应是 键 = 值, 文字加英文引号, 段名写在方括号里",
        "{path}: not written as leadbook.toml expects; each line is key = value, text in "
        "quotes, section names in brackets")
    NOT_TEXT = "config_not_text", "{key} 应为文字", "{key} must be text"
    HISTORY = (
        "config_history",
        "history 应为文字: 文件名 (相对于收件箱) 或数据库地址, 如 \"postgresql://user@host/db\"",
        "history must be text: a file name (relative to the inbox) or a database URL such as "
        "\"postgresql://user@host/db\"")
    NOT_A_PRESET = (
        "config_not_a_preset", "grading.scheme = {value}: 没有这个方案; 可用的有 {choices}",
        "grading.scheme = {value} is not a preset; use one of {choices}")
    NOT_POSITIVE = (
        "config_not_positive", "{key} 应为大于 0 的数字", "{key} must be a positive number")
    LIST_DAYS = (
        "config_list_days", "followups.list_days 应为 0 到 366 之间的整数 (天数)",
        "followups.list_days must be a whole number of days from 0 to 366")
    NOT_MONEY = (
        "config_not_money", "{key} 应为金额 (元, 不小于 0 的数字)",
        "{key} must be a number of RMB, not negative")
    BY_SOURCE = (
        "config_by_source", "marketing.by_source 应为一个表: 渠道 = 每月金额",
        "marketing.by_source must be a table of channel = amount")
    UNKNOWN_FIELD = (
        "config_unknown_field", "columns.{field}: 没有这个字段; 可用的有 {choices}",
        "columns.{field}: unknown field; known fields are {choices}")
    NOT_WORDS = (
        "config_not_words", "columns.{field} 应为一组表头文字, 如 [\"客户手机\"]",
        "columns.{field} must be a list of header words, such as [\"客户手机\"]")
    ALIASES = (
        "config_aliases", "[grading.aliases] 应为一个表: \"本店的级别说法\" = \"级别\"",
        '[grading.aliases] must be a table of "word" = "grade"')
    ALIAS_GRADE = (
        "config_alias_grade", "grading.aliases.{word} = {value}: 应为本方案的级别之一: {choices}",
        "grading.aliases.{word} = {value}: must be one of the grades {choices}")
    NOT_A_TABLE = (
        "config_not_a_table", "[{key}] 应为一个表 ([名称] 下的 键 = 值)",
        "[{key}] must be a table")
    NO_GRADES = (
        "config_no_grades", "[[grading.grades]] 至少要列出一个级别",
        "[[grading.grades]] must list at least one grade")
    GRADE_NOT_TABLE = (
        "config_grade_not_table", "grading.grades 第 {i} 个应为一个表",
        "grading.grades #{i} must be a table")
    GRADE_LETTER = (
        "config_grade_letter", "grading.grades 第 {i} 个: grade 应为一个字母, 如 \"A\"",
        "grading.grades #{i}: grade must be a letter such as \"A\"")
    GRADE_SPECIAL = (
        "config_grade_special",
        "grading.grades 第 {i} 个: {grade} 是特殊级别 (N、O、F), 不能重定义",
        "grading.grades #{i}: {grade} is a special grade (N, O, F)")
    GRADE_EVERY = (
        "config_grade_every", "grading.grades 第 {i} 个 ({grade}): every_days 应为大于 0 的整数",
        "grading.grades #{i} ({grade}): every_days must be a whole number > 0")
    GRADE_BOTH = (
        "config_grade_both",
        "grading.grades 第 {i} 个 ({grade}): within_days 和 within_months 只能给一个",
        "grading.grades #{i} ({grade}): give within_days or within_months")
    GRADE_WITHIN = (
        "config_grade_within", "grading.grades 第 {i} 个 ({grade}): {key} 应为整数",
        "grading.grades #{i} ({grade}): {key} must be a whole number")
    NO_HORIZON_GRADE = (
        "config_no_horizon_grade", "[[grading.grades]] 至少要有一个按购车时间分的级别",
        "[[grading.grades]] needs at least one grade for purchase horizons")
    ONLY_LAST_OPEN = (
        "config_only_last_open",
        "级别 {grade}: 只有最后一个级别可以不写 within_days / within_months",
        "grading grade {grade}: only the last grade may omit within_days/within_months")
    GRADE_TWICE = (
        "config_grade_twice", "[[grading.grades]] 中有重复的级别",
        "[[grading.grades]] names a grade twice")


class ConfigError(Exception):
    """The configuration file is unreadable or holds a value leadbook cannot use; ``why``
    says so in words (:meth:`message`)."""

    def __init__(self, why: Text | str) -> None:
        super().__init__(why)
        self.why = why

    def message(self, lang: str) -> str:
        return self.why if isinstance(self.why, str) else render(self.why, lang)

    def __str__(self) -> str:
        return self.message("zh")


def _quoted(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _listed(names: Any) -> tuple[str, ...]:
    return tuple(str(n) for n in names)


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
        raise ConfigError(ConfigWhy.NOT_FOUND(path=str(path))) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(ConfigWhy.NOT_UTF8(path=str(path))) from exc
    except OSError as exc:
        log.info("%s: %s", path, exc)
        raise ConfigError(ConfigWhy.NOT_READ(
            path=str(path),
            why=ConfigWhy.NO_PERMISSION() if isinstance(exc, PermissionError)
            else ConfigWhy.A_FOLDER() if isinstance(exc, IsADirectoryError)
            else exc.strerror or type(exc).__name__)) from exc
    except tomllib.TOMLDecodeError as exc:
        log.info("%s: %s", path, exc)  # the parser's own words, for -v
        at = re.search(r"at line (\d+), column (\d+)", str(exc))
        raise ConfigError(
            ConfigWhy.NOT_TOML(path=str(path), line=int(at.group(1)), column=int(at.group(2)))
            if at else ConfigWhy.NOT_TOML_SOMEWHERE(path=str(path))) from exc
    try:
        check(data, lang)
    except ConfigKeyError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        return parse_config(data, source=str(path))
    except ConfigError as exc:
        said = exc.why
        raise ConfigError(
            f"{path}: {said}" if isinstance(said, str)
            else ConfigWhy.IN_FILE(path=str(path), why=said)) from exc


def parse_config(data: dict[str, Any], source: str = "config") -> Config:
    store = data.get("store", Config.store)
    if not isinstance(store, str):
        raise ConfigError(ConfigWhy.NOT_TEXT(key="store"))
    history = data.get("history", Config.history)
    if not isinstance(history, str) or not history.strip():
        raise ConfigError(ConfigWhy.HISTORY())
    grading = _table(data, "grading")
    scheme_name = grading.get("scheme", "4s")
    if scheme_name not in PRESETS:
        raise ConfigError(ConfigWhy.NOT_A_PRESET(
            value=_quoted(scheme_name), choices=tuple(f'"{k}"' for k in PRESETS)))
    scheme = PRESETS[scheme_name]
    if "grades" in grading:
        scheme = _custom_scheme(scheme, grading["grades"])
    stale = grading.get("stale_factor", 3)
    if not isinstance(stale, (int, float)) or isinstance(stale, bool) or stale <= 0:
        raise ConfigError(ConfigWhy.NOT_POSITIVE(key="grading.stale_factor"))
    aliases = _grade_aliases(grading.get("aliases", {}), scheme)
    followups = _table(data, "followups")
    list_days = followups.get("list_days", Config.list_days)
    if not isinstance(list_days, int) or isinstance(list_days, bool) or not 0 <= list_days <= 366:
        raise ConfigError(ConfigWhy.LIST_DAYS())
    marketing = _table(data, "marketing")
    spend = marketing.get("spend")
    if spend is not None and not _is_money(spend):
        raise ConfigError(ConfigWhy.NOT_MONEY(key="marketing.spend"))
    by_source_raw = marketing.get("by_source", {})
    if not isinstance(by_source_raw, dict):
        raise ConfigError(ConfigWhy.BY_SOURCE())
    by_source: dict[str, float] = {}
    for channel, amount in by_source_raw.items():
        if not _is_money(amount):
            raise ConfigError(ConfigWhy.NOT_MONEY(key=f"marketing.by_source.{channel}"))
        by_source[str(channel)] = float(amount)
    columns_raw = _table(data, "columns")
    columns: dict[str, tuple[str, ...]] = {}
    for field_name, words in columns_raw.items():
        if field_name not in KNOWN_FIELDS:
            raise ConfigError(ConfigWhy.UNKNOWN_FIELD(field=field_name,
                                                   choices=_listed(sorted(KNOWN_FIELDS))))
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ConfigError(ConfigWhy.NOT_WORDS(field=field_name))
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
        raise ConfigError(ConfigWhy.ALIASES())
    valid = [g.grade for g in scheme.grades] + [NEW, WON, LOST]
    out: dict[str, str] = {}
    for word, grade in raw.items():
        if not isinstance(grade, str) or grade.strip().upper() not in valid:
            raise ConfigError(ConfigWhy.ALIAS_GRADE(word=str(word), value=_quoted(grade),
                                                   choices=_listed(valid)))
        out[str(word)] = grade.strip().upper()
    return out


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(ConfigWhy.NOT_A_TABLE(key=key))
    return value


def _is_money(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _custom_scheme(preset: Scheme, rows: Any) -> Scheme:
    """``[[grading.grades]]`` replaces the preset's table, in order."""
    if not isinstance(rows, list) or not rows:
        raise ConfigError(ConfigWhy.NO_GRADES())
    grades: list[Grade] = []
    no_need: str | None = None
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ConfigError(ConfigWhy.GRADE_NOT_TABLE(i=i))
        name = row.get("grade")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(ConfigWhy.GRADE_LETTER(i=i))
        name = name.strip().upper()
        if name in (NEW, WON, LOST):
            raise ConfigError(ConfigWhy.GRADE_SPECIAL(i=i, grade=name))
        every = row.get("every_days")
        if not isinstance(every, int) or isinstance(every, bool) or every <= 0:
            raise ConfigError(ConfigWhy.GRADE_EVERY(i=i, grade=name))
        days, months = row.get("within_days"), row.get("within_months")
        if days is not None and months is not None:
            raise ConfigError(ConfigWhy.GRADE_BOTH(i=i, grade=name))
        for key, val in (("within_days", days), ("within_months", months)):
            if val is not None and (not isinstance(val, int) or isinstance(val, bool) or val < 0):
                raise ConfigError(ConfigWhy.GRADE_WITHIN(i=i, grade=name, key=key))
        only = bool(row.get("no_need", False))
        if only:
            no_need = name
        grades.append(Grade(name, every, days, months, no_need_only=only))
    bounded = [g for g in grades if not g.no_need_only]
    if not bounded:
        raise ConfigError(ConfigWhy.NO_HORIZON_GRADE())
    for g in bounded[:-1]:
        if g.within_days is None and g.within_months is None:
            raise ConfigError(ConfigWhy.ONLY_LAST_OPEN(grade=g.grade))
    if len({g.grade for g in grades}) != len(grades):
        raise ConfigError(ConfigWhy.GRADE_TWICE())
    return Scheme(
        preset.name + "+custom",
        tuple(grades),
        no_need=no_need or bounded[-1].grade,
        no_need_quasi_lost=False,
    )
