"""Every problem leadbook reports: one code each, with its message in Chinese and English.

The codes are stable: they are in summary.json and in the last column of the
数据问题 sheet, and scripts depend on them. The words are for people and follow
``--lang``. Each template names the values it needs; an Issue gives exactly
those (leadbook.texts.Text checks), and the message is rendered where it is
written. ``Part`` holds the pieces several messages share (where a row is, a
field's name, what a missing column costs).
"""

from __future__ import annotations

from .texts import Phrase


class IssueCode(Phrase):
    """The code of an Issue and its message (``NAME = code, zh, en``)."""

    # A cell that cannot be read (records, grid_activity): the column and why.
    BAD_DATE = "bad_date", "{column}: {reason}", "{column}: {reason}"
    BAD_PHONE = "bad_phone", "{column}: {reason}", "{column}: {reason}"
    BAD_GRADE = "bad_grade", "{column}: {reason}", "{column}: {reason}"
    BAD_STATUS = "bad_status", "{column}: {reason}", "{column}: {reason}"
    BAD_HORIZON = "bad_horizon", "{column}: {reason}", "{column}: {reason}"
    BAD_NUMBER = "bad_number", "{column}: {reason}", "{column}: {reason}"
    # A value the work needs, missing from a row (records).
    MISSING_PHONE = (
        "missing_phone", "缺少联系电话",
        "No phone number (联系电话): fill it in, so that the same customer is recognised")
    MISSING_CONSULTANT = (
        "missing_consultant", "缺少销售顾问",
        "No consultant (销售顾问): fill in who owns the lead")
    MISSING_DATE = "missing_date", "缺少日期", "No date (日期): fill in the day the row is for"
    MISSING_CONTACT_DATE = (
        "missing_contact_date", "缺少首次接触日期和最近跟进日期, 无法排定下次跟进",
        "No first contact date and no latest contact date (首次接触日期, 最近跟进日期): "
        "the next follow-up cannot be scheduled; fill in one of them")
    # A sheet's header (read.sheets).
    MISSING_COLUMN = (
        "missing_column", "表头中没有{word}列, {cost}{fix}",
        "The header has no {word} column: {cost}{fix}")
    SHEET_IGNORED = "sheet_ignored", "{sheet}: {reason}", "{sheet}: {reason}"
    # A file's name and content (read).
    FORMAT_MISMATCH = (
        "format_mismatch", "文件名为{suffix}, 内容却是{format}; 已按内容读取",
        "The file is named {suffix} but holds {format}; it was read as what it holds")
    # Ownership (ownership, domain.md §4).
    DUPLICATE_LEAD = (
        "duplicate_lead", "重复登记: 同一客户已在 {where} 登记",
        "Repeat registration: the same customer is already registered in {where}")
    OWNERSHIP_CONFLICT = (
        "ownership_conflict", "撞单: 同一客户已由 {owner} 在 {where} 先报备, 先报备者负责",
        "Ownership conflict (撞单): {owner} registered the same customer first, in {where}; "
        "the first to register owns the lead")
    # The week's work (worklist, domain.md §3).
    TASK_MISSED = (
        "task_missed",
        "{task} 应于 {day} 完成, 超过 {days} 天仍未联系客户 ({consultant}, {customer}), 已错过",
        "{task} was due on {day} and the customer has not been contacted for more than "
        "{days} days since ({consultant}, {customer}): missed")
    # The daily report against the lead cards (metrics, domain.md §5).
    CROSSCHECK_KEPT = (
        "crosscheck_kept",
        "日报核对: {consultant} {date} 日报留档 {reported}, 当天建卡 {cards}, 相差 {difference}",
        "Daily check: {consultant} {date}: kept in the daily report {reported}, lead cards "
        "created that day {cards}, difference {difference}")
    # Month grids (grid_activity, domain.md §6).
    GRID_MONTH_ASSUMED = (
        "grid_month_assumed",
        "月报表的标题、表名和文件名都没有写明月份, 按截止日期所在的 {year}年{month}月 计; "
        "请在标题写上月份, 如 \"{example_year}年{example_month}月销售日报\"",
        "The month sheet's title, sheet name and file name say no month: it is counted as "
        "{year}年{month}月, the month of the as-of date; write the month in the title, such "
        "as \"{example_year}年{example_month}月销售日报\"")
    GRID_DAY_OUTSIDE_MONTH = (
        "grid_day_outside_month", "{label}: {year}年{month}月没有{day}日, 这一格未计入",
        "{label}: {year}年{month}月 has no day {day}; this cell is not counted")
    GRID_METRIC_NOT_COUNTED = (
        "grid_metric_not_counted",
        "月报表指标 {label} (合计 {total}): {why}, 已保留在报表中, 未计入漏斗",
        "Month sheet figure {label} (total {total}): {why}; it stays in the sheet and is not "
        "counted in the funnel")
    GRID_TOTAL_MISMATCH = (
        "grid_total_mismatch",
        "{label}: 合计 {stated} 与各日之和 {total} 不符, 漏斗按各日之和计; 请核对这一行",
        "{label}: the total {stated} is not the sum of the days, {total}; the funnel counts "
        "the sum of the days: check this row")
    GRID_OVERLAPS_DAILY = (
        "grid_overlaps_daily",
        "月报表与{which} ({names}) 都有 {start} 至 {end} 中 {days} 天的数据; "
        "这些天漏斗只计{which} (来店 {theirs}), 本表的 (来店 {ours}) 未计入, 以免重复",
        "This month sheet and {which} ({names}) both hold {days} days from {start} to {end}; "
        "for those days the funnel counts only {which} (traffic {theirs}), and this sheet's "
        "(traffic {ours}) is left out, so that nothing is counted twice")
    # Grade words without an alias (grade_words, domain.md §6).
    GRADE_WORDS = (
        "grade_words",
        "{header}列写的是等级词 {named}, 不是本店的级别字母, 这些客户按未定级计; "
        "在 leadbook.toml 的 [grading.aliases] 下写上对应级别即可, 如 {lines}",
        "The {header} column holds grade words, {named}, not the store's grade letters: "
        "these customers count as not yet graded; write the grade each word means under "
        "[grading.aliases] in leadbook.toml, such as {lines}")
    # The store's history (history.remember, domain.md §10).
    HISTORY_UNAVAILABLE = (
        "history_unavailable", "历史记录未能使用, 本次不与上周比较, 也不记录: {reason}",
        "History not used: this run is neither compared nor kept: {reason}")
    VANISHED_LEAD = (
        "vanished_lead",
        "线索消失: {consultant} 的客户 {phone} ({grade}级, {status}) 上次 ({as_of})"
        "在 {file} {sheet} 第 {row} 行, 本次不在任何线索卡中; 请核实是否战败或被删除",
        "Lead vanished: {consultant}'s customer {phone} (grade {grade}, {status}) was in "
        "{file} {sheet} row {row} last time ({as_of}) and is in no lead card now; check "
        "whether it was lost or deleted")


# A cell that cannot be read, by what the reader expected (records.BAD_CODES).
BAD_VALUE = {
    "date": IssueCode.BAD_DATE,
    "phone": IssueCode.BAD_PHONE,
    "grade": IssueCode.BAD_GRADE,
    "status": IssueCode.BAD_STATUS,
    "horizon": IssueCode.BAD_HORIZON,
    "count": IssueCode.BAD_NUMBER,
    "money": IssueCode.BAD_NUMBER,
}
# A value missing from a row, by field.
MISSING_VALUE = {
    "phone": IssueCode.MISSING_PHONE,
    "consultant": IssueCode.MISSING_CONSULTANT,
    "date": IssueCode.MISSING_DATE,
}
# A month grid's findings: they go on the grid's metric rows in the annotated copy.
GRID_CODES = frozenset({
    IssueCode.GRID_MONTH_ASSUMED, IssueCode.GRID_DAY_OUTSIDE_MONTH,
    IssueCode.GRID_METRIC_NOT_COUNTED, IssueCode.GRID_TOTAL_MISMATCH,
    IssueCode.GRID_OVERLAPS_DAILY,
})


class Part(Phrase):
    """Pieces of the messages above."""

    AT_ROW = "at_row", "{file} {sheet} 第{row}行", "{file} {sheet} row {row}"
    NO_CONSULTANT = "no_consultant", "(未填顾问)", "(no consultant)"
    NO_CUSTOMER = "no_customer", "未填客户", "no customer name or phone"
    WHOLE_STORE = "whole_store", "(全店)", "(whole store)"
    GRID_DAY = "grid_day", "{label} {day}日", "{label}, day {day}"
    WORD_ROWS = "word_rows", "{word} ({rows}行)", "{word} (rows: {rows})"
    # A column the work cannot do without, and what its absence costs.
    FIELD_PHONE = "field_phone", "联系电话", "phone (联系电话)"
    FIELD_CONSULTANT = "field_consultant", "销售顾问", "consultant (销售顾问)"
    FIELD_DATE = "field_date", "日期", "date (日期)"
    COST_PHONE = (
        "cost_phone", "无法识别同一客户(撞单、重复)",
        "the same customer cannot be recognised (ownership conflicts, repeats)")
    COST_CONSULTANT = (
        "cost_consultant", "无法把待跟进客户分给顾问",
        "the customers due cannot be given to their consultants")
    COST_DATE = "cost_date", "无法按日期统计", "nothing can be counted by date"
    COST_OTHER = "cost_other", "此表无法完整使用", "the sheet cannot be fully used"
    COLUMN_FIX = (
        "column_fix", "; 如果「{header}」就是{word}列, 在 leadbook.toml 里加一行: {line}",
        "; if “{header}” is the {word} column, add this line to leadbook.toml: {line}")
    # What a file holds, when its name says otherwise.
    FORMAT_XLSX = "format_xlsx", "Excel 工作簿(.xlsx)", "an Excel workbook (.xlsx)"
    FORMAT_XLSM = "format_xlsm", "带宏的 Excel 工作簿(.xlsm)", "a macro-enabled Excel workbook (.xlsm)"
    FORMAT_XLS = "format_xls", "旧版 Excel 工作簿(.xls)", "an old Excel workbook (.xls)"
    FORMAT_HTML = "format_html", "网页表格(HTML)", "a web page table (HTML)"
    FORMAT_CSV = "format_csv", "CSV 文本", "CSV text"
    # Why a month grid's metric is not counted, and which report was counted instead.
    NO_FIELD = "no_field", "leadbook 没有对应的字段", "leadbook has no field for it"
    SAME_METRIC = (
        "same_metric", "与第{first}行是同一指标, 只计第{first}行",
        "the same figure as row {first}, so only row {first} is counted")
    DAILY_REPORT = "daily_report", "按顾问的日报", "the daily report by consultant"
    OTHER_GRID = "other_grid", "另一份月报表", "another month sheet"
    # A lead's status, as the history's warnings name it.
    STATUS_ACTIVE = "status_active", "跟进中", "active"
    STATUS_DORMANT = "status_dormant", "休眠", "dormant"
    STATUS_WON = "status_won", "成交", "won"
    STATUS_LOST = "status_lost", "战败", "lost"
    STATUS_INVALID = "status_invalid", "无效", "invalid"


MISSING_COLUMN_WORDS = {
    "phone": (Part.FIELD_PHONE, Part.COST_PHONE),
    "consultant": (Part.FIELD_CONSULTANT, Part.COST_CONSULTANT),
    "date": (Part.FIELD_DATE, Part.COST_DATE),
}
FORMAT_WORDS = {"xlsx": Part.FORMAT_XLSX, "xlsm": Part.FORMAT_XLSM, "xls": Part.FORMAT_XLS,
                "html": Part.FORMAT_HTML, "csv": Part.FORMAT_CSV}
STATUS_WORDS = {"active": Part.STATUS_ACTIVE, "dormant": Part.STATUS_DORMANT,
                "won": Part.STATUS_WON, "lost": Part.STATUS_LOST,
                "invalid": Part.STATUS_INVALID}

__all__ = ["BAD_VALUE", "FORMAT_WORDS", "GRID_CODES", "MISSING_COLUMN_WORDS", "MISSING_VALUE",
           "STATUS_WORDS", "IssueCode", "Part"]
