"""Text into an XlsxWriter cell as the text it is, whatever it looks like.

XlsxWriter writes a string that begins ``<r>`` and ends ``</r>`` into the
sheet's XML unescaped, as ready-made rich text (a customer's note "<r>价格</r>"
then breaks the file's schema and reads back empty). Such a text is written
here as a rich string of two runs in the cell's own format, which XlsxWriter
escapes run by run; it reads back as the same text. Every other text goes
through ``write_string``, which escapes XML and Excel's ``_xHHHH_`` forms and
never makes a formula of a leading ``=``. Every writer of leadbook's workbooks
puts text into a cell through :func:`write_text`; the streamed rows of
``xlsx_stream`` escape on their own.
"""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet


def looks_rich(text: str) -> bool:
    return len(text) >= 7 and text.startswith("<r>") and text.endswith("</r>")


def write_text(ws: Worksheet, row: int, col: int, text: str, fmt: Format) -> int:
    """Write ``text`` at (row, col) in ``fmt``; XlsxWriter's return code."""
    if looks_rich(text):
        return int(ws.write_rich_string(row, col, fmt, text[:1], fmt, text[1:], fmt))
    return int(ws.write_string(row, col, text, fmt))
