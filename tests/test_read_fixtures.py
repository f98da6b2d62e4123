"""The committed messy fixtures (tests/fixtures/messy/, made by make_fixtures.py).

For each file: the sheets and their kinds, the header rows, the Excel row of
every data row, the exact issue rows as ``[(row, column, code), …]``, and the
values of a few cells. Then one run of the command line on all of them
together, with the files an inbox also holds that are not to be read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from cards import rows_of
from click.testing import CliRunner

from leadbook.cli import main
from leadbook.model import SheetKind, SourceFile, Status
from leadbook.read import read_file
from leadbook.records import Records, read_records

MESSY = Path(__file__).parent / "fixtures" / "messy"
VBA_PROJECT = Path(__file__).parent / "fixtures" / "rich" / "vbaProject.bin"
AS_OF = dt.date(2026, 11, 22)
D = dt.date

# file → (format, date1904, sheets as (name, kind, header row, header rows, hidden, data rows))
SHEETS: dict[str, tuple[str, bool, list[tuple[str, str, int, int, bool, list[int]]]]] = {
    "lo_leads.xlsx": ("xlsx", False, [
        # title 1, group row 2 over header row 3, blank 10, numbered-only 17–18, 合计 19
        ("意向客户", "leads", 3, 2, False, [4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16]),
    ]),
    "wps_leads.xls": ("xls", False, [
        # title 1, header 2, 小计 15
        ("客户跟进表", "leads", 2, 1, False, list(range(3, 15))),
        ("下拉选项", "ignored", 0, 1, True, []),
    ]),
    "gbk_leads.csv": ("csv", False, [
        ("gbk_leads", "leads", 1, 1, False, [2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14]),
    ]),
    "utf8bom_daily.csv": ("csv", False, [
        # title 1, header 2, blank 9, 合计 10
        ("utf8bom_daily", "activity", 2, 1, False, [3, 4, 5, 6, 7, 8]),
    ]),
    "trad_two_row.xlsx": ("xlsx", False, [
        # group row 1 over header row 2, blank 7, 合計 12
        ("客戶名單", "leads", 2, 2, False, [3, 4, 5, 6, 8, 9, 10, 11]),
        ("填表說明", "ignored", 0, 1, True, []),
    ]),
    "date1904.xlsx": ("xlsx", True, [
        ("线索", "leads", 1, 1, False, list(range(2, 14))),
    ]),
    "html_as.xls": ("html", False, [
        # title 1 (colspan), two-row header 2–3 (rowspan / colspan)
        ("Sheet1", "leads", 3, 2, False, list(range(4, 16))),
    ]),
    "csv_as.xls": ("csv", False, [
        # header 1, 总计 14
        ("csv_as", "leads", 1, 1, False, list(range(2, 14))),
    ]),
}

# file → every issue of reading it, as (Excel row, column as written, code).
ISSUES: dict[str, list[tuple[int, str, str]]] = {
    "lo_leads.xlsx": [
        (6, "最近跟进日期", "bad_date"),
        (8, "联系电话", "bad_phone"),
        (12, "客户级别", "bad_grade"),
        (14, "状态", "bad_status"),
    ],
    "wps_leads.xls": [
        (5, "建档日期", "bad_date"),
        (9, "手机号码", "bad_phone"),
        (14, "意向级别", "bad_grade"),
    ],
    "gbk_leads.csv": [
        (4, "联系电话", "bad_phone"),
        (7, "首次接触日期", "bad_date"),
        (12, "状态", "bad_status"),
    ],
    "utf8bom_daily.csv": [
        (5, "电话回访", "bad_number"),
        (7, "日期", "bad_date"),
    ],
    "trad_two_row.xlsx": [
        (5, "首次接觸日期", "bad_date"),
        (5, "首次接觸日期", "missing_contact_date"),
        (9, "客戶級別（Ａ／Ｂ／Ｃ／Ｄ）", "bad_grade"),
        (10, "聯繫電話", "missing_phone"),
    ],
    "date1904.xlsx": [
        (7, "最近跟进日期", "bad_date"),
        (8, "最近跟进日期", "bad_date"),
        (9, "联系电话", "bad_phone"),
        (10, "联系电话", "bad_phone"),
        (11, "客户级别", "bad_grade"),
    ],
    "html_as.xls": [
        (6, "联系电话", "bad_phone"),
        (10, "首次到店日期", "bad_date"),
        (10, "首次到店日期", "missing_contact_date"),
        (13, "客户等级", "bad_grade"),
    ],
    "csv_as.xls": [
        (5, "建卡日期", "bad_date"),
        (5, "建卡日期", "missing_contact_date"),
        (9, "等级", "bad_grade"),
        (12, "顾问", "missing_consultant"),
    ],
}

# file → {(Excel row, field): value as read}. Dates of every form, phones of
# every form, grades of every form.
VALUES: dict[str, dict[tuple[int, str], Any]] = {
    "lo_leads.xlsx": {
        (4, "phone"): "13800000101",            # a number cell
        (4, "first_contact"): D(2026, 11, 2),   # a date cell
        (5, "phone"): "13912340102",            # 139-1234-0102
        (6, "first_contact"): D(2026, 11, 4),   # 2026/11/4
        (6, "next_contact"): D(2026, 11, 19),   # 2026.11.19
        (7, "phone"): "13800000104",            # +86 138 0000 0104
        (11, "first_contact"): D(2026, 11, 8),  # 11月8日, year from the as-of date
        (13, "next_contact"): D(2026, 11, 24),  # 46350, a 1900-system serial
        (14, "grade_recorded"): "B",            # b
        (8, "status"): Status.WON,
        (15, "status"): Status.DORMANT,
    },
    "wps_leads.xls": {
        (3, "first_contact"): D(2026, 11, 2),
        (3, "phone"): "13800000201",
        (9, "first_contact"): D(2026, 11, 8),
        (11, "grade_recorded"): "A",            # A级
        (12, "grade_recorded"): "B",            # b
    },
    "gbk_leads.csv": {
        (2, "name"): "王先生",
        (2, "phone"): "13800000301",
        (2, "first_contact"): D(2026, 11, 2),   # 2026/11/02
        (8, "first_contact"): D(2026, 11, 8),   # 11月8日
        (8, "horizon_text"): "2027年3月",
    },
    "trad_two_row.xlsx": {
        (3, "grade_recorded"): "A",             # Ａ (full width)
        (4, "grade_recorded"): "B",             # b
        (5, "grade_recorded"): "C",             # C類
        (6, "grade_recorded"): "A",             # A級
        (6, "first_contact"): D(2026, 11, 5),   # 2026年11月5日
        (10, "first_contact"): D(2026, 11, 8),  # 11月8日
        (10, "grade_recorded"): "B",            # B類
        (3, "status"): Status.ACTIVE,           # 跟進中
        (8, "status"): Status.WON,
        (9, "status"): Status.LOST,             # 戰敗
        (3, "consultant"): "張偉",              # text stays as written
    },
    "date1904.xlsx": {
        (2, "first_contact"): D(2026, 11, 2),   # a date cell of the 1904 system
        (2, "last_contact"): D(2026, 11, 9),    # 44873, a 1904-system serial
        (6, "first_contact"): D(2026, 11, 6),   # 44870, a 1904-system serial
        (2, "next_contact"): D(2026, 11, 16),   # 2026.11.16
        (3, "last_contact"): D(2026, 11, 3),    # 2026/11/03
        (3, "next_contact"): D(2026, 11, 24),   # 2026年11月24日
        (4, "first_contact"): D(2026, 11, 4),   # a date-time cell, 14:30
        (4, "last_contact"): D(2026, 11, 12),   # 11月12日
        (5, "last_contact"): D(2026, 11, 13),   # 2026-11-13 09:15
        (9, "first_contact"): D(2026, 11, 9),   # 11月9日
        (9, "last_contact"): D(2026, 11, 9),    # a date-time cell, 16:45
        (13, "next_contact"): D(2026, 11, 27),  # 2026/11/27
        (2, "phone"): "13800000501",            # 13800000501.0, a float
        (3, "phone"): "13800000502",            # 1.3800000502e10
        (4, "phone"): "13800000503",            # +86 138 0000 0503
        (5, "phone"): "13800000504",            # 0086-138-0000-0504
        (6, "phone"): "13800000505",            # 138-0000-0505
        (7, "phone"): "13800000506",            # 138 0000 0506
        (8, "phone"): "13800000507",            # 8613800000507, a number
        (12, "phone"): "13800000511",           # text
        (2, "grade_recorded"): "A",             # Ａ
        (3, "grade_recorded"): "A",             # a
        (4, "grade_recorded"): "A",             # A级
        (5, "grade_recorded"): "A",             # A類
        (7, "grade_recorded"): "B",             # b类
        (9, "grade_recorded"): "C",             # c级
    },
    "html_as.xls": {
        (4, "first_contact"): D(2026, 11, 2),
        (5, "phone"): "13912340602",
        (11, "grade_recorded"): None,           # an empty cell
    },
    "csv_as.xls": {
        (2, "phone"): "13800000701",            # ="13800000701"
        (2, "source"): "400热线",
        (12, "consultant"): None,
    },
}

ACTIVITY_VALUES: dict[tuple[int, str], Any] = {
    (3, "date"): D(2026, 11, 16),
    (3, "traffic"): 6,
    (4, "traffic"): 4,                          # 4批
    (5, "calls"): None,                         # 十二: an issue
    (6, "date"): D(2026, 11, 17),               # 11月17日
    (7, "date"): None,                          # 2026-11-31: an issue
    (8, "traffic"): 6,                          # 6人
}


def _read(name: str) -> tuple[SourceFile, Records]:
    src = read_file(MESSY / name, name)
    return src, read_records([src], AS_OF)


def test_every_fixture_is_committed() -> None:
    assert sorted(p.name for p in MESSY.iterdir()) == sorted(SHEETS)


@pytest.mark.parametrize("name", sorted(SHEETS))
def test_sheets_headers_and_data_rows(name: str) -> None:
    src, _ = _read(name)
    fmt, date1904, sheets = SHEETS[name]
    assert (src.status, src.message("zh")) == ("ok", "")
    assert src.format == fmt
    assert src.date1904 is date1904
    got = [(s.name, s.kind.value, s.header_row, s.header_rows, s.hidden, [r for r, _ in s.rows])
           for s in src.sheets]
    assert got == sheets


@pytest.mark.parametrize("name", sorted(ISSUES))
def test_issue_rows(name: str) -> None:
    src, records = _read(name)
    issues = src.issues + records.issues
    assert [(i.row, i.column, i.code) for i in issues] == ISSUES[name]
    sheet = next(s for s in src.sheets if s.kind is not SheetKind.IGNORED)
    assert {(i.file, i.sheet) for i in issues} == {(name, sheet.name)}
    # The row is kept: every issue row is still a lead or activity row.
    kept = {lead.row for lead in rows_of(records.leads)} | {a.row for a in rows_of(records.activity)}
    assert {i.row for i in issues} <= kept
    # An unreadable value names the value (phones masked) and says what was expected.
    for issue in issues:
        assert issue.message("zh")
        if issue.code.startswith("bad_"):
            assert issue.value


@pytest.mark.parametrize("name", sorted(VALUES))
def test_cell_values(name: str) -> None:
    _, records = _read(name)
    by_row = {lead.row: lead for lead in rows_of(records.leads)}
    got = {(row, fld): getattr(by_row[row], fld) for row, fld in VALUES[name]}
    assert got == VALUES[name]


def test_daily_report_values() -> None:
    _, records = _read("utf8bom_daily.csv")
    by_row = {a.row: a for a in rows_of(records.activity)}
    got = {(row, fld): getattr(by_row[row], fld) for row, fld in ACTIVITY_VALUES}
    assert got == ACTIVITY_VALUES
    assert [a.consultant for a in rows_of(records.activity)] == ["张伟", "李娜", "王强"] * 2


def test_lo_fixture_is_libreoffice_own() -> None:
    """Saved by LibreOffice: its shared strings, its styles, its name in app.xml."""
    import zipfile

    with zipfile.ZipFile(MESSY / "lo_leads.xlsx") as zf:
        names = set(zf.namelist())
        app = zf.read("docProps/app.xml").decode()
    assert {"xl/sharedStrings.xml", "xl/styles.xml"} <= names
    assert "LibreOffice" in app


@pytest.mark.slow
def test_the_copy_of_an_office_suites_workbook_is_the_same_on_every_run(tmp_path: Path) -> None:
    """The styles the copy adds for its row fills are numbered in the order the rows
    need them, not in an order that changes with Python's string hashing: two runs
    with other hash seeds write the same bytes (these two seeds gave two orders)."""
    import subprocess
    import sys

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(MESSY / "lo_leads.xlsx", inbox)
    copies = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        done = subprocess.run(
            [sys.executable, "-m", "leadbook", "process", str(inbox), "--out", str(out),
             "--as-of", AS_OF.isoformat(), "--no-history"],
            env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode()
        copies.append((out / "annotated" / "lo_leads.xlsx").read_bytes())
    assert copies[0] == copies[1]


def test_fixtures_carry_their_encodings() -> None:
    """The CSV fixtures are what Chinese Excel and WPS write, not UTF-8 by accident."""
    gbk = (MESSY / "gbk_leads.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert gbk.decode("gbk").startswith("客户姓名,")
    assert (MESSY / "utf8bom_daily.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (MESSY / "csv_as.xls").read_bytes().decode("gb18030").startswith("客户名称\t")
    assert (MESSY / "html_as.xls").read_bytes().lstrip().startswith(b"<html")
    assert (MESSY / "wps_leads.xls").read_bytes().startswith(b"\xd0\xcf\x11\xe0")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_read_alike(encoding: str, tmp_path: Path) -> None:
    """The GBK fixture saved again in each encoding a store's CSV comes in."""
    text = (MESSY / "gbk_leads.csv").read_bytes().decode("gbk")
    path = tmp_path / "leads.csv"
    path.write_bytes(text.encode(encoding))
    src, records = _read_path(path)
    _, reference = _read("gbk_leads.csv")
    assert (src.status, src.format) == ("ok", "csv")
    assert [(lead.row, lead.name, lead.phone, lead.first_contact) for lead in rows_of(records.leads)] == [
        (lead.row, lead.name, lead.phone, lead.first_contact) for lead in rows_of(reference.leads)]


def test_xlsm_is_read(tmp_path: Path) -> None:
    """A macro workbook: read like an .xlsx, recognised as .xlsm by its VBA project."""
    path = tmp_path / "macro.xlsm"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("意向客户")
    ws.write_row(0, 0, ["客户姓名", "联系电话", "销售顾问", "首次接触日期"])
    ws.write_row(1, 0, ["王先生", "13800000901", "张伟", "2026-11-02"])
    wb.add_vba_project(str(VBA_PROJECT))
    wb.close()
    src, records = _read_path(path)
    assert (src.status, src.format) == ("ok", "xlsm")
    assert [(lead.row, lead.phone) for lead in rows_of(records.leads)] == [(2, "13800000901")]


def _read_path(path: Path) -> tuple[SourceFile, Records]:
    src = read_file(path, path.name)
    return src, read_records([src], AS_OF)


# --------------------------------------------------------------------------
# The whole folder through the command line
# --------------------------------------------------------------------------

NOT_READ = {  # why, in Chinese and in English
    "~$x.xlsx": ("Excel 打开工作簿时生成的临时文件", "Excel's owner file"),
    ".~lock.x.xlsx#": ("LibreOffice 打开工作簿时生成的锁定文件", "LibreOffice's lock file"),
    ".hidden.xlsx": ("隐藏文件", "hidden file"),
    "notes.txt": ("不是表格文件", "not a spreadsheet"),
}


class _Rows(HTMLParser):
    """The text of every table row of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("messy_run")
    inbox = base / "inbox"
    inbox.mkdir()
    for name in SHEETS:
        shutil.copy(MESSY / name, inbox / name)
    (inbox / "~$x.xlsx").write_bytes(b"\x06leadbk" + bytes(158))  # Excel's 165-byte owner file
    (inbox / ".~lock.x.xlsx#").write_text(",leadbook,host,22.11.2026 09:00,file:///x;\n")
    shutil.copy(MESSY / "lo_leads.xlsx", inbox / ".hidden.xlsx")
    (inbox / "notes.txt").write_text("本周重点: 星越L 试驾活动\n", encoding="utf-8")
    before = _digests(inbox)
    out = base / "out"
    result = CliRunner().invoke(
        main, ["process", str(inbox), "--out", str(out), "--as-of", AS_OF.isoformat(),
               "--jobs", "1", "--no-history"], catch_exceptions=False)
    english = base / "out_en"
    CliRunner().invoke(
        main, ["process", str(inbox), "--out", str(english), "--as-of", AS_OF.isoformat(),
               "--jobs", "1", "--no-history", "--lang", "en"], catch_exceptions=False)
    return {"inbox": inbox, "out": out, "result": result, "before": before,
            "summary": json.loads((out / "summary.json").read_text(encoding="utf-8")),
            "english": json.loads((english / "summary.json").read_text(encoding="utf-8"))}


def test_cli_run_exits_0_and_leaves_inputs_alone(run: dict[str, Any]) -> None:
    assert run["result"].exit_code == 0, run["result"].output
    assert "Traceback" not in run["result"].output
    assert _digests(run["inbox"]) == run["before"]


def test_cli_lists_every_file_with_its_kinds(run: dict[str, Any]) -> None:
    files = {f["path"]: f for f in run["summary"]["files"]}
    assert set(files) == set(SHEETS) | set(NOT_READ)
    for name, (_, _, sheets) in SHEETS.items():
        assert files[name]["status"] == "ok"
        assert [(s["name"], s["kind"], s["rows"]) for s in files[name]["sheets"]] == [
            (sheet, kind, len(rows)) for sheet, kind, _, _, _, rows in sheets]
    in_english = {f["path"]: f for f in run["english"]["files"]}
    for name, (zh, en) in NOT_READ.items():
        assert files[name]["status"] == in_english[name]["status"] == "skipped"
        assert zh in files[name]["message"]
        assert en in in_english[name]["message"]
        assert files[name]["sheets"] == []
    ignored = [(f["path"], s["name"]) for f in files.values() for s in f["sheets"]
               if s["kind"] == "ignored"]
    assert ignored == [("trad_two_row.xlsx", "填表說明"), ("wps_leads.xls", "下拉选项")]


def _value_issues(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The issues of reading the files (not the cross-checks between them)."""
    return [i for i in summary["issues"] if i["code"].startswith(("bad_", "missing_"))]


def test_cli_issues_in_summary_json(run: dict[str, Any]) -> None:
    got: dict[str, list[tuple[int, str, str]]] = {}
    for issue in _value_issues(run["summary"]):
        got.setdefault(issue["file"], []).append((issue["row"], issue["column"], issue["code"]))
    assert got == ISSUES


def test_cli_issues_in_report_xlsx(run: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(run["out"] / "report.xlsx", read_only=True)
    rows = list(wb["数据问题"].iter_rows(values_only=True))
    header = list(rows[1])
    col = {name: header.index(name) for name in ("文件", "工作表", "行号", "列", "代码")}
    listed = Counter(
        (r[col["文件"]], r[col["工作表"]], r[col["行号"]], r[col["列"]], r[col["代码"]])
        for r in rows[2:] if r[col["代码"]])
    expected = Counter((i["file"], i["sheet"], i["row"], i["column"], i["code"])
                       for i in run["summary"]["issues"])
    assert listed == expected


def test_cli_issues_in_the_html_page(run: dict[str, Any]) -> None:
    parser = _Rows()
    parser.feed((run["out"] / "summary.html").read_text(encoding="utf-8"))
    cells = [row for row in parser.rows if row]
    for issue in _value_issues(run["summary"]):
        assert any(issue["code"] in row and issue["file"] in row and str(issue["row"]) in row
                   and issue["message"] in row for row in cells), issue


def _hints(path: Path, sheet: str) -> dict[int, str]:
    """Excel row → the 提示 text the annotated copy added."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    hint_col = next(c.column for row in ws.iter_rows(max_row=20) for c in row
                    if c.value == "提示")
    return {r: str(ws.cell(r, hint_col).value or "") for r in range(1, ws.max_row + 1)}


def test_cli_issues_in_the_annotated_copies(run: dict[str, Any]) -> None:
    for name, (_, _, sheets) in SHEETS.items():
        copy = run["out"] / "annotated" / (Path(name).stem + ".xlsx")
        assert copy.is_file(), name
        data_sheet = sheets[0][0]
        hints = _hints(copy, data_sheet)
        for issue in _value_issues(run["summary"]):
            if issue["file"] == name:
                assert issue["message"] in hints[issue["row"]], (name, issue)
