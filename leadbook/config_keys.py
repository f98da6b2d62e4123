"""Every key of leadbook.toml, as a table (domain.md §7): what it holds, its
default, and a line saying what it is for. The table checks a config before it
is used (an unknown key is named with the nearest valid one; a value of the
wrong type says which type is wanted) and writes the file `leadbook init` gives.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

# What a value must be: text, number (int or float), whole (int), table (any keys),
# list (of tables), words (text or a list of text).
Kind = str


@dataclass(frozen=True)
class Key:
    path: str  # "grading.scheme"
    kind: Kind
    default: Any  # None: no default; the key is written commented out
    zh: str
    en: str
    example: str = ""  # the commented example written by `leadbook init` when no default
    example_en: str = ""  # the example with English comments, where it has comments

    def said(self, lang: str) -> str:
        """What the key is for, in ``lang``."""
        return self.en if lang == "en" else self.zh

    def shown_example(self, lang: str) -> str:
        return self.example_en if lang == "en" and self.example_en else self.example


KEYS: tuple[Key, ...] = (
    Key("store", "text", "XX汽车4S店", "门店名称, 显示在报告标题上; 也是本店历史记录的名字",
        "the store's name in report titles; the key of its history"),
    Key("history", "text", "leadbook-history.sqlite",
        "历史记录: 相对收件箱的文件名, 或集团共用的数据库地址 (postgresql://用户@主机/库)",
        "the history: a file name relative to the inbox, or a database URL shared by a group"),
    Key("grading", "section", None, "客户分级", "grading"),
    Key("grading.scheme", "text", "4s", "分级方案: \"4s\" | \"habc\" | \"parts\"",
        'grading scheme: "4s" | "habc" | "parts"'),
    Key("grading.stale_factor", "number", 3, "超过几个跟进周期没有联系, 就建议准战败",
        "no contact for more than this many cadences: suggest quasi-lost (准战败)"),
    Key("grading.grades", "list", None, "可选: 自定义分级表, 按顺序取代预设 (每级一段)",
        "optional: a grade table of the store's own, in order, replacing the preset's",
        '[[grading.grades]]\ngrade = "A"\nwithin_months = 3   # 或 within_days; 最后一级不写\n'
        "every_days = 7",
        '[[grading.grades]]\ngrade = "A"\nwithin_months = 3   # or within_days; none on the '
        'last grade\nevery_days = 7'),
    Key("grading.grades.grade", "text", None, "级别字母", "the grade's letter"),
    Key("grading.grades.within_days", "whole", None, "购车时间在几天内", "horizon in days"),
    Key("grading.grades.within_months", "whole", None, "购车时间在几个月内", "horizon in months"),
    Key("grading.grades.every_days", "whole", None, "每几天跟进一次", "contact every N days"),
    Key("grading.grades.no_need", "bool", None, "只给「暂无需求」的客户", "only for 'no need'"),
    Key("grading.aliases", "table", None, "可选: 本店的级别说法对应到哪一级",
        "optional: the store's grade words and the grade each means",
        '[grading.aliases]\n"重点客户" = "A"\n"普通客户" = "B"'),
    Key("followups", "section", None, "跟进名单", "follow-ups"),
    Key("followups.list_days", "whole", 7, "本周工作: 已逾期、今日和未来几天内到期的任务",
        "the week's work: overdue, due today and due within this many days"),
    Key("marketing", "section", None, "营销费用", "marketing"),
    Key("marketing.spend", "number", None, "每个自然月的营销费用 (元), 按统计期天数折算",
        "RMB per calendar month, prorated to the period", "spend = 650000"),
    Key("marketing.by_source", "table", None, "可选: 各渠道每月的费用 (元)",
        "optional: spend per channel, RMB per month",
        '[marketing.by_source]\n"汽车之家" = 120000'),
    Key("columns", "table", None, "可选: 表头的其他说法 (字段 = [表头文字])",
        "optional: extra header words per field", '[columns]\nphone = ["客户手机"]'),
)
BY_PATH = {k.path: k for k in KEYS}
TYPE_WORDS = {
    "zh": {"text": "文字 (加英文引号, 如 \"4s\")", "number": "数字", "whole": "整数",
           "table": "一个表 ([名称] 下的 键 = 值)", "section": "一个表 ([名称] 下的 键 = 值)",
           "list": "一组 [[名称]] 表", "bool": "true 或 false"},
    "en": {"text": 'text (in quotes, such as "4s")', "number": "a number",
           "whole": "a whole number",
           "table": "a table ([name] with key = value lines)",
           "section": "a table ([name] with key = value lines)",
           "list": "a list of [[name]] tables", "bool": "true or false"},
}


class ConfigKeyError(Exception):
    """A key leadbook does not know, or a value of the wrong type (the message says which)."""


def _children(prefix: str) -> list[str]:
    """The names a table at ``prefix`` may hold ("" for the file's top level)."""
    if not prefix:
        return [k.path for k in KEYS if "." not in k.path]
    start = prefix + "."
    return [k.path[len(start):] for k in KEYS
            if k.path.startswith(start) and "." not in k.path[len(start):]]


def _is(value: Any, kind: Kind) -> bool:
    if kind == "text":
        return isinstance(value, str)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "whole":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("table", "section"):
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "bool":
        return isinstance(value, bool)
    return True


def _shown(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value).lower() if isinstance(
        value, bool) else str(value)


def check(data: dict[str, Any], lang: str = "zh") -> None:
    """Raise ConfigKeyError naming the first key leadbook does not know (with the nearest
    valid one) or the first value of the wrong type (with the type wanted)."""
    _check_table(data, "", lang)


def _check_table(table: dict[str, Any], prefix: str, lang: str) -> None:
    known = _children(prefix)
    for name, value in table.items():
        path = f"{prefix}.{name}" if prefix else name
        key = BY_PATH.get(path)
        if key is None:
            raise ConfigKeyError(_unknown(name, path, known, isinstance(value, dict), lang))
        if not _is(value, key.kind):
            wanted = TYPE_WORDS[lang][key.kind]
            if lang == "zh":
                raise ConfigKeyError(f"{path} = {_shown(value)}: 应为{wanted}")
            raise ConfigKeyError(f"{path} = {_shown(value)}: must be {wanted}")
        if key.kind == "section":
            _check_table(value, path, lang)
        elif key.kind == "list":
            for item in value:
                if not isinstance(item, dict):
                    raise ConfigKeyError(f"{path}: " + TYPE_WORDS[lang]["list"])
                _check_table(item, path, lang)


def _unknown(name: str, path: str, known: list[str], is_table: bool, lang: str) -> str:
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    parent = path.rsplit(".", 1)[0] if "." in path else ""
    if is_table:
        shown = f"[{path}]"
        hint = f"[{parent + '.' if parent else ''}{near[0]}]" if near else ""
    else:
        shown, hint = path, (f"{parent + '.' if parent else ''}{near[0]}" if near else "")
    elsewhere = "" if is_table else _elsewhere(name, parent)
    if elsewhere and near and _likeness(name, near[0]) >= _likeness(
            name, elsewhere.rsplit(".", 1)[1]):
        elsewhere = ""  # the key of this section is as near
    if lang == "zh":
        what = "未知的设置段" if is_table else "未知的设置项"
        if elsewhere:
            section, key = elsewhere.rsplit(".", 1)
            return f"{shown}: {what}; 是不是 [{section}] 段里的 {key}?"
        return f"{shown}: {what}; 是不是 {hint}?" if hint else \
            f"{shown}: {what}; 可用的有 " + ", ".join(known)
    what = "unknown section" if is_table else "unknown key"
    if elsewhere:
        section, key = elsewhere.rsplit(".", 1)
        return f"{shown}: {what}; did you mean {key} in [{section}]?"
    return f"{shown}: {what}; did you mean {hint}?" if hint else \
        f"{shown}: {what}; known: " + ", ".join(known)


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _elsewhere(name: str, parent: str) -> str:
    """The key of another section nearest ``name`` (``schem`` at the top of the file:
    ``grading.scheme``), or ""."""
    paths = {k.path.rsplit(".", 1)[1]: k.path for k in KEYS
             if "." in k.path and k.path.rsplit(".", 1)[0] != parent
             and k.kind not in ("section", "table", "list")}
    near = difflib.get_close_matches(name, list(paths), n=1, cutoff=0.7)
    return paths[near[0]] if near else ""


# The head of the file `leadbook init` writes, in each language.
INIT_HEAD = {
    "zh": ("# leadbook 的门店设置 (leadbook init 生成). 说明见 README 的 Configuration 一节。",
           "# 以 # 开头的行不起作用; 去掉 # 即可启用。"),
    "en": ("# The store's settings for leadbook (written by leadbook init). The README's "
           "Configuration section says more.",
           "# Lines starting with # do nothing; remove the # to use one."),
}


def init_text(lang: str = "zh") -> str:
    """leadbook.toml with every key: its default, or a commented example, and a line
    saying what it is for, in ``lang`` (Chinese by default)."""
    lines = [*INIT_HEAD.get(lang, INIT_HEAD["zh"]), ""]
    sections = [k for k in KEYS if k.kind == "section"]
    for key in KEYS:
        if "." not in key.path and key.kind not in ("section", "table"):
            lines += [f"# {key.said(lang)}", f"{key.path} = {_shown(key.default)}", ""]
    for section in sections:
        lines += [f"# {section.said(lang)}", f"[{section.path}]"]
        tables = []
        for key in KEYS:
            if key.path.count(".") != 1 or not key.path.startswith(section.path + "."):
                continue
            name = key.path.split(".")[1]
            if key.kind in ("table", "list"):
                tables.append(key)
            elif key.default is not None:
                lines += [f"# {key.said(lang)}", f"{name} = {_shown(key.default)}"]
            else:
                lines += [f"# {key.said(lang)}", f"# {key.shown_example(lang) or name}"]
        lines.append("")
        for key in tables:
            lines += [f"# {key.said(lang)}"] + [
                f"# {line}" for line in key.shown_example(lang).splitlines()] + [""]
    columns = BY_PATH["columns"]
    lines += [f"# {columns.said(lang)}"] + [
        f"# {line}" for line in columns.shown_example(lang).splitlines()]
    return "\n".join(lines) + "\n"
