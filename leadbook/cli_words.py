"""What the command line itself says, in Chinese and English (``NAME = code, zh, en``).

Every line leadbook prints on stderr starts with the run's word for an error or
a warning; the usage mistakes a manager makes (a date written another way, an
inbox path mistyped, an option misspelt) are said in the run's language with how
to put them right, instead of the option parser's own English.
"""

from __future__ import annotations

from .texts import Phrase


class CliWhy(Phrase):
    """The command line's own messages."""

    ERROR = "cli_error", "错误: {message}", "Error: {message}"
    WARNING = "cli_warning", "警告: {message}", "Warning: {message}"
    # A usage mistake: the message, then where the help is (exit 2, nothing written).
    USAGE = (
        "cli_usage", "错误: {message}\n(各选项的说明: {command} --help)",
        "Error: {message}\n(every option is explained by: {command} --help)")
    NOT_A_DATE = (
        "cli_not_a_date", "{option} {value}: 不是日期; 请写成 年-月-日, 例如 2026-11-22",
        "{option} {value}: not a date; write it as year-month-day, e.g. 2026-11-22")
    FROM_TO_TOGETHER = (
        "cli_from_to_together", "--from 和 --to 要一起给出 (统计期的第一天和最后一天), 或都不给",
        "give --from and --to together (the period's first and last day), or neither")
    FROM_AFTER_TO = (
        "cli_from_after_to", "--from {start} 在 --to {end} 之后; 请把两个日期对调",
        "--from {start} is after --to {end}; swap the two dates")
    HISTORY_BOTH = (
        "cli_history_both", "--history 和 --no-history 只能给一个",
        "give --history or --no-history, not both")
    NO_FOLDER = (
        "cli_no_folder", "{path}: 找不到这个文件夹; 请检查路径 ({what})",
        "{path}: no such folder; check the path ({what})")
    NOT_A_FOLDER = (
        "cli_not_a_folder", "{path}: 这是一个文件, 不是文件夹; 请给出文件夹 ({what})",
        "{path}: this is a file, not a folder; give a folder ({what})")
    OUT_IS_A_FILE = (
        "cli_out_is_a_file", "{option} {path}: 这是一个文件, 不是文件夹; 请给出输出文件夹的路径",
        "{option} {path}: this is a file, not a folder; give the path of a folder for the "
        "outputs")
    INBOX = (
        "cli_inbox", "收件箱是放各顾问 .xlsx / .xls / .csv 表格的文件夹",
        "the inbox is the folder holding the consultants' .xlsx / .xls / .csv sheets")
    GROUP = (
        "cli_group", "集团文件夹里每家门店一个子文件夹",
        "the group folder holds one subfolder per store")
    NO_SUCH_OPTION = (
        "cli_no_such_option", "没有 {option} 这个选项{near}",
        "there is no option {option}{near}")
    NEAR_OPTION = "cli_near_option", "; 是不是 {option}?", "; did you mean {option}?"
    NEEDS_VALUE = (
        "cli_needs_value", "{option} 后面要跟一个值", "{option} needs a value after it")
    MISSING_ARGUMENT = (
        "cli_missing_argument", "缺少 {name}: 请给出它", "{name} is missing: give it")
    BAD_CHOICE = (
        "cli_bad_choice", "{option} {value}: 只能是 {choices} 之一",
        "{option} {value}: must be one of {choices}")
    BAD_NUMBER = (
        "cli_bad_number", "{option} {value}: 应为不小于 {least} 的整数",
        "{option} {value}: must be a whole number of at least {least}")
    EXTRA_ARGUMENT = (
        "cli_extra_argument", "多出的参数: {value}; 路径中有空格时请加引号",
        "an argument too many: {value}; put a path with spaces in quotes")
    NO_SUCH_COMMAND = (
        "cli_no_such_command", "没有 {name} 这个命令; 可用的有 {choices}",
        "there is no command {name}; the commands are {choices}")
    # leadbook group
    NO_STORES = (
        "cli_no_stores",
        "{group} 中没有门店文件夹: 每家门店一个子文件夹, 里面放该店的 .xlsx / .xls / .csv "
        "表格 (和它的 leadbook.toml)",
        "{group} holds no store folder: give each store a subfolder holding its .xlsx / .xls "
        "/ .csv sheets (and its leadbook.toml)")
    # leadbook history
    NO_RUNS = "cli_no_runs", "没有记录", "No runs kept"
