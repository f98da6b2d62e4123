"""Why a file is skipped or cannot be read, and why a sheet is not read, in Chinese and English.

The readers raise :class:`leadbook.model.FileError` with one of these and the
file's note says it with the file's name in front (``FileWhy.FAILED``); the
writers render it in the run's language (summary.json ``files``, the page, the
terminal). Each says what the file is and what to do; the libraries' own text
goes to the ``-v`` log only.
"""

from __future__ import annotations

import errno

from ..texts import Phrase


class FileWhy(Phrase):
    """Why a file is skipped or cannot be read (``NAME = code, zh, en``)."""

    FAILED = "file_failed", "{file}: {reason}", "{file}: {reason}"
    # Skipped without being read (read.discover)
    SKIP_OWNER_FILE = (
        "skip_owner_file", "已跳过: Excel 打开工作簿时生成的临时文件",
        "skipped: Excel's owner file of an open workbook")
    SKIP_LOCK_FILE = (
        "skip_lock_file", "已跳过: LibreOffice 打开工作簿时生成的锁定文件",
        "skipped: LibreOffice's lock file of an open workbook")
    SKIP_HIDDEN = "skip_hidden", "已跳过: 隐藏文件", "skipped: hidden file"
    SKIP_NOT_SPREADSHEET = (
        "skip_not_spreadsheet", "已跳过: 不是表格文件 (.xlsx、.xlsm、.xls 或 .csv)",
        "skipped: not a spreadsheet (.xlsx, .xlsm, .xls or .csv)")
    SKIP_OWN_OUTPUT = (
        "skip_own_output",
        "已跳过: 这是 leadbook 生成的文件 (以前运行的报告); leadbook 从不读取自己的输出",
        "skipped: written by leadbook (an earlier run's report); leadbook never reads its own "
        "outputs")
    # What the file is (read.read_file)
    TOO_BIG = (
        "too_big",
        "已拒绝: 文件有 {size} MiB, 超过 leadbook 读取的上限 ({limit} MiB); "
        "一家门店的线索卡只有几 MiB: 请确认是不是放错了文件",
        "refused: the file is {size} MiB, more than leadbook reads ({limit} MiB); a store's "
        "lead cards fill a few MiB: check it is the right file")
    EMPTY = (
        "empty", "文件是空的 (0 字节); 请在 Excel 或 WPS 里重新保存",
        "the file is empty (0 bytes); save it again from Excel or WPS")
    OLD_BIFF = (
        "old_biff", "这是 {version} 工作表, 格式比 leadbook 能读的还旧; 请用 Excel 或 WPS 打开, "
        "另存为 .xlsx",
        "an {version} worksheet, a format older than leadbook reads; open it in Excel or WPS "
        "and save it as .xlsx")
    NOT_SPREADSHEET = (
        "not_spreadsheet",
        "不是 leadbook 能读取的表格: 内容既不是工作簿也不是表格文本; 请用 Excel 或 WPS 打开, "
        "另存为 .xlsx",
        "not a spreadsheet leadbook can read: its content is neither a workbook nor table "
        "text; open it in Excel or WPS and save it as .xlsx")
    NOT_SPREADSHEET_CONTENT = (
        "not_spreadsheet_content", "不是表格: 内容既不是工作簿也不是文本",
        "not a spreadsheet: its content is neither a workbook nor text")
    TOO_MUCH_MEMORY = (
        "too_much_memory",
        "无法读取: 读取它所需的内存超过 leadbook 给一个文件的上限; 请用 Excel 或 WPS 打开后重新保存",
        "could not be read: it needs more memory than leadbook allows a file; open it in "
        "Excel or WPS and save it again")
    READ_FAILED = (
        "read_failed", "无法读取 ({why}); 请另存为 .xlsx 后再试",
        "could not be read ({why}); save it again as .xlsx")
    CANNOT_OPEN = "cannot_open", "无法打开 ({why})", "could not be opened ({why})"
    # Why a file could not be opened or read, in words (not the system's text)
    NOT_ALLOWED = "not_allowed", "leadbook 没有打开它的权限", "leadbook is not allowed to open it"
    GONE = "gone", "运行时文件被移走或删除了", "it was moved or deleted during the run"
    IS_FOLDER = "is_folder", "这是文件夹, 不是文件", "it is a folder, not a file"
    OS_REFUSED = "os_refused", "系统无法打开它", "the system could not open it"
    NO_MEMORY = "no_memory", "所需内存超过这台电脑的内存", "it needs more memory than this computer has"
    TOO_NESTED = "too_nested", "文件结构嵌套太深", "its structure is nested too deeply"
    UNKNOWN_ENCODING = (
        "unknown_encoding", "文本编码无法识别", "its text is in an encoding leadbook cannot tell")
    CHANGED = (
        "changed", "文件已损坏, 或在读取时被改动了",
        "the file is damaged or was changed while it was read")
    # Legacy .xls (read.legacy_formats, read.grid)
    PASSWORD = (
        "password", "工作簿设有打开密码; 请另存一份不带密码的副本后再运行",
        "the workbook is password-protected; save a copy without a password and run again")
    BIFF5_UTF16 = (
        "biff5_utf16",
        "这是 Excel 5.0/95 工作簿 (BIFF5), 文字以 UTF-16 存储, leadbook 无法读取; "
        "请用 Excel、WPS 或 LibreOffice 打开, 另存为 .xlsx",
        "an Excel 5.0/95 workbook (BIFF5) whose text is stored as UTF-16, which leadbook "
        "cannot read; open it in Excel, WPS or LibreOffice and save it as .xlsx")
    BIFF5_CODEPAGE = (
        "biff5_codepage",
        "这是 Excel 5.0/95 工作簿 (BIFF5), 文字使用代码页 {page} ({name}), leadbook 无法读取; "
        "请用 Excel、WPS 或 LibreOffice 打开, 另存为 .xlsx",
        "an Excel 5.0/95 workbook (BIFF5) whose text is in code page {page} ({name}), which "
        "leadbook cannot read; open it in Excel, WPS or LibreOffice and save it as .xlsx")
    BIFF5_UNREADABLE = (
        "biff5_unreadable",
        "这是 Excel 5.0/95 工作簿 (BIFF5), 无法读取; 请用 Excel 或 WPS 打开, 另存为 .xlsx",
        "an Excel 5.0/95 workbook (BIFF5) that could not be read; open it in Excel or WPS and "
        "save it as .xlsx")
    XLS_DAMAGED = (
        "xls_damaged",
        "工作簿无法读取: 这个 .xls 文件已损坏或不完整; 请用 Excel 或 WPS 打开, 另存为 .xlsx",
        "not a readable workbook: the .xls file is damaged or incomplete; open it in Excel or "
        "WPS and save it as .xlsx")
    XLS_BROKEN = (
        "xls_broken",
        "工作簿无法读取: 这个 .xls 文件已损坏 ({why}); 请用 Excel 或 WPS 打开后重新保存",
        "not a readable workbook: the .xls file is damaged ({why}); open it in Excel or WPS "
        "and save it again")
    # Workbooks (read.grid, read.safety, read.extent)
    WORKBOOK_DAMAGED = (
        "workbook_damaged",
        "工作簿无法读取: 文件已损坏 ({part}); 请用 Excel 或 WPS 打开, 重新另存为 .xlsx",
        "not a readable workbook: the file is damaged ({part}); open it in Excel or WPS and "
        "save it again as .xlsx")
    SHEET_UNREADABLE = "sheet_unreadable", "工作表「{sheet}」无法读取", "sheet '{sheet}' cannot be read"
    PART_UNREADABLE = (
        "part_unreadable", "工作簿的一部分无法读取", "a part of the workbook cannot be read")
    ZIP_DAMAGED = (
        "zip_damaged", "工作簿无法读取: 文件已损坏或不完整; 请用 Excel 或 WPS 打开后重新保存",
        "not a readable workbook: the file is damaged or incomplete; open it in Excel or WPS "
        "and save it again")
    PART_DAMAGED = (
        "part_damaged", "工作簿无法读取: 部件 {part} 已损坏; 请用 Excel 或 WPS 打开后重新保存",
        "not a readable workbook: its part {part} is damaged; open it in Excel or WPS and "
        "save it again")
    A_PART_DAMAGED = (
        "a_part_damaged", "工作簿无法读取: 有一个部件已损坏; 请用 Excel 或 WPS 打开后重新保存",
        "not a readable workbook: a part is damaged; open it in Excel or WPS and save it again")
    TOO_MANY_PARTS = (
        "too_many_parts", "已拒绝: 文件含有 {count} 个部件, 不是真正的工作簿",
        "refused: it holds {count} parts, which is not a real workbook")
    INFLATES = (
        "inflates", "已拒绝: {what}解压后将达 {size} (压缩比 {ratio}:1), 不是真正的工作簿",
        "refused: {what} would inflate to {size} (ratio {ratio}:1), which is not a real "
        "workbook")
    ALL_PARTS = "all_parts", "全部部件", "its parts"
    ONE_PART = "one_part", "部件 {part} ", "its part {part}"
    UNSAFE_ENTRY = (
        "unsafe_entry",
        "已拒绝: 文件含有条目 {name} ({unsafe}), 工作簿不会有这样的条目; "
        "请用 Excel 或 WPS 打开后重新保存",
        "refused: it holds an entry {name} {unsafe}, which no workbook holds; open it in "
        "Excel or WPS and save it again")
    ABSOLUTE_NAME = "absolute_name", "使用绝对路径名", "with an absolute name"
    BACKSLASH = "backslash", "名称中有反斜杠", "with a backslash in its name"
    CLIMBS_OUT = "climbs_out", "名称指向包外 (..)", "whose name climbs out of the package (..)"
    OTHER_METHOD = (
        "other_method", "以第 {method} 种方法压缩 (Excel 只用 deflate)",
        "compressed by method {method} (Excel uses deflate only)")
    ZIP_ENCRYPTED = (
        "zip_encrypted", "在压缩包内加密 (设密码的工作簿不是这样存储的)",
        "encrypted inside the zip (a protected workbook is not stored that way)")
    SPECIAL_FILE = (
        "special_file", "是链接或特殊文件, 不是部件", "that is a link or a special file, not a part")
    SIZE_MISMATCH = (
        "size_mismatch",
        "已拒绝: 部件 {part} 存储了 {stored} 字节, 却声明只有 {declared} 字节; 压缩包的目录对不上",
        "refused: its part {part} is stored in {stored} bytes but declared to hold {declared}; "
        "the zip directory does not add up")
    PART_PROLOG = (
        "part_prolog", "已拒绝: 部件 {part} {what}; Excel、WPS 和 LibreOffice 都不会这样写",
        "refused: its part {part} {what}; Excel, WPS and LibreOffice never write that")
    DOCTYPE = (
        "doctype", "声明了文档类型 (DOCTYPE), 也就是声明 XML 实体之处",
        "declares a document type (DOCTYPE), where XML entities are declared")
    LONG_PROLOG = (
        "long_prolog", "在第一个元素之前有超过 {kib} KiB 的内容",
        "opens with more than {kib} KiB before its first element")
    TOO_MANY_CELLS = (
        "too_many_cells",
        "已拒绝: {where}的数据一直到单元格 {far}, 使用区域 A1:{far} 有 {rows} 行 × {cols} 列 "
        "({cells} 个单元格), 超过 leadbook 读取的上限 ({limit}); 请清除表格以外的单元格 "
        "(在 Excel 里按 Ctrl+End 可跳到最后一个) 后重新保存",
        "refused: {where} has values as far as cell {far}, so its used area A1:{far} is "
        "{rows} rows × {cols} columns ({cells} cells), more than leadbook reads ({limit}); "
        "clear the cells past the table (Ctrl+End in Excel goes to the last one) and save "
        "again")
    BEYOND_XFD = (
        "beyond_xfd",
        "已拒绝: {where}引用了超出 Excel 最后一列 XFD 或第 1,048,576 行的单元格 (直到 {far}); "
        "写 .xlsx 的程序都不会这样引用: 请用 Excel 或 WPS 打开后重新保存",
        "refused: {where} refers to a cell beyond Excel's last column XFD or row 1,048,576 "
        "(as far as {far}); no program that writes .xlsx makes such a reference: open it in "
        "Excel or WPS and save it again")
    SHEET_NAMED = "sheet_named", "工作表「{sheet}」", "sheet '{sheet}'"
    SHEET_STORED = "sheet_stored", "存为 {part} 的工作表", "the sheet stored as {part}"
    LONG_STRINGS = (
        "long_strings",
        "已拒绝: 单元格反复引用很长的共享字符串 (第 {index} 个: {size} MiB, 已用 {uses} 次), "
        "合计超过 {limit} MiB 文字, 不是真正的工作簿",
        "refused: its cells repeat long shared strings (string {index}: {size} MiB, used "
        "{uses} times so far) adding up to more than {limit} MiB of text, which is not a real "
        "workbook")
    # How an .xls is damaged (read.cfb)
    NO_CFB_HEADER = "no_cfb_header", "没有复合文档的文件头", "no compound-file header"
    CFB_BROKEN = "cfb_broken", "复合文档结构已损坏", "its compound-file structure is broken"
    MINI_STREAM_LARGER = (
        "mini_stream_larger", "小流声明的大小超过了文件本身",
        "the mini stream is declared larger than the file")
    MINI_FAT_BROKEN = "mini_fat_broken", "小扇区分配表已损坏", "its mini FAT is broken"
    STREAM_LARGER = (
        "stream_larger", "有一个流声明的大小超过了它的扇区",
        "a stream is declared larger than its sectors")
    STREAM_SHORT = "stream_short", "{name} 流被截断了", "its {name} stream is cut short"
    CHAIN_BROKEN = "chain_broken", "{what}的扇区链已损坏", "the sector chain of {what} is broken"
    THE_DIRECTORY = "the_directory", "目录", "the directory"
    THE_MINI_FAT = "the_mini_fat", "小扇区分配表", "the mini FAT"
    THE_MINI_STREAM = "the_mini_stream", "小流", "the mini stream"
    A_STREAM = "a_stream", "一个流", "a stream"
    COLUMN_BEYOND = (
        "column_beyond", "有工作表在第 {col} 列有单元格, 超过了 .xls 工作表的 {limit} 列",
        "a sheet has a cell in column {col}, beyond the {limit} columns an .xls sheet holds")
    SPREAD_OUT = (
        "spread_out", "有工作表的 {cells} 个单元格分布在 {rows} 行 × {cols} 列上, 真实的工作表不会这样",
        "a sheet's {cells} cells are spread over {rows} rows × {cols} columns, which no real "
        "sheet is")
    DIMENSIONS_SHORT = (
        "dimensions_short", "有工作表的 DIMENSIONS 记录被截断了",
        "a sheet's DIMENSIONS record is cut short")
    DIMENSIONS_BEYOND = (
        "dimensions_beyond",
        "有工作表声明的行 {first_row}–{last_row}、列 {first_col}–{last_col} 超出了 .xls 工作表的范围",
        "a sheet declares rows {first_row}–{last_row} and columns {first_col}–{last_col}, "
        "beyond what an .xls sheet holds")
    # Web pages and text (read.htmlgrid, read.textgrid)
    HTML_TOO_LARGE = (
        "html_too_large", "已拒绝: 其中的表格超过 {limit} 个单元格",
        "refused: its tables hold more than {limit} cells")
    HTML_TOO_WIDE = (
        "html_too_wide", "已拒绝: 表格有一行超过 Excel 的 {limit} 列 (XFD), 真实的工作表不会这样",
        "refused: a row of its table is wider than Excel's {limit} columns (XFD), which no "
        "sheet is")
    HTML_NO_TABLE = "html_no_table", "是网页, 但其中没有表格", "holds a web page but no table"
    TEXT_INVALID = (
        "text_invalid", "文本不是有效的 {encoding}; 请另存为 UTF-8 CSV",
        "the text is not valid {encoding}; save it as UTF-8 CSV")
    ENCODING_UNKNOWN = (
        "encoding_unknown", "无法识别文本的编码; 请另存为 UTF-8 CSV",
        "the text encoding could not be recognised; save it as UTF-8 CSV")
    CSV_FIELD_TOO_LONG = (
        "csv_field_too_long",
        "第 {line} 行有一个超过 {limit} 个字符的字段, 单元格装不下这么多 (缺了配对的引号就会这样"
        "一直延续到文件末尾); 请检查这一行的引号后重新保存",
        "line {line} holds a field of more than {limit} characters, which no spreadsheet cell "
        "holds (an unclosed quote mark runs to the end of the file this way); check the quotes "
        "on that line and save it again")
    CSV_UNREADABLE = (
        "csv_unreadable", "第 {line} 行无法按 CSV 文本读取; 请用 Excel 或 WPS 打开, 重新另存为 CSV",
        "not readable as CSV text at line {line}; open it in Excel or WPS and save it again "
        "as CSV")
    # A reader stopped by its limits (read.isolated)
    TOO_SLOW = (
        "too_slow",
        "读取时间超过了 leadbook 给一个文件的上限 ({limit} 秒), 真实的工作簿不需要这么久, "
        "已停止读取。请用 Excel 或 WPS 打开后重新保存, 并检查其中只有表格",
        "reading it took longer than leadbook allows a file ({limit} s), which no real "
        "workbook needs; it was stopped. Open it in Excel or WPS, save it again, and check it "
        "holds only the tables")
    READER_STOPPED = (
        "reader_stopped",
        "无法读取: 读取它所需的内存超过 leadbook 给一个文件的上限 ({limit} GiB), "
        "或遇到了读取程序无法处理的损坏, 已停止读取。请用 Excel 或 WPS 打开后重新保存",
        "could not be read: reading it needed more memory than leadbook allows a file "
        "({limit} GiB) or met damage the workbook reader could not handle, and it was "
        "stopped. Open it in Excel or WPS and save it again")


class SheetWhy(Phrase):
    """Why a sheet that looks like a table of people is not read (read.sheets)."""

    SERVICE_SHEET = (
        "service_sheet",
        "不是销售线索表: 表头有 {words}, 没有销售顾问、预计购车时间或客户级别列 "
        "(维修工单、服务客户一类), 未读取",
        "not a sales lead sheet: its header holds {words} and no consultant, purchase horizon "
        "or grade column (a workshop or service customer list); not read")
    NOT_LEAD_CARDS = (
        "not_lead_cards",
        "不是意向客户表: 表头只有 {words}, 没有销售顾问、客户级别、预计购车时间或跟进日期列 "
        "(姓名和电话不足以构成线索卡), 未读取",
        "not a lead card sheet: its header holds only {words}, no consultant, grade, purchase "
        "horizon or contact date column (a name and a phone do not make a lead card); not read")


# Why the system would not open a file, by its error number.
_OS_WHY = {errno.EACCES: FileWhy.NOT_ALLOWED, errno.EPERM: FileWhy.NOT_ALLOWED,
           errno.ENOENT: FileWhy.GONE, errno.EISDIR: FileWhy.IS_FOLDER}


def os_why(exc: OSError) -> FileWhy:
    """Why a file could not be opened, in words (the system's own text goes to the log)."""
    return _OS_WHY.get(exc.errno or 0, FileWhy.OS_REFUSED)


__all__ = ["FileWhy", "SheetWhy", "os_why"]
