"""Patch one worksheet part as a stream: the five added columns, row fills, headers.

A lead sheet can hold 100,000 rows (about 60 MB of XML), so the part is read
in chunks and worked on row by row with plain byte searches; no tree of the
sheet is ever built. Rows without a note are copied through untouched. A noted
row keeps its cells (a coloured row's cells get their format's filled copy)
and gets the added cells after its last cell; a noted row with no <row>
element gets one, in order. The part's head gets the new column widths and
dimension, its tail a <legacyDrawing> when comments are added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..model import RowNote, SheetNotes
from ..vocab import ANNOTATION_HEADERS
from .annotation_cells import (
    COLUMN_WIDTHS,
    Cell,
    column_index,
    column_letter,
    excel_serial,
    excel_text,
    note_cells,
    row_fill,
)
from .xlsx_styles import StyleBook
from .xml_scan import attributes, namespace_prefix, set_attributes, top_level, xml_text

REL_NAMESPACES = (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                  b"http://purl.oclc.org/ooxml/officeDocument/relationships")
# CT_Worksheet elements that come after <legacyDrawing> (mc:AlternateContent
# wraps controls and OLE objects, which come after it too).
AFTER_LEGACY_DRAWING = {b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls",
                        b"webPublishItems", b"tableParts", b"extLst", b"AlternateContent"}
ADDED = len(ANNOTATION_HEADERS)

_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<(\w+:)?worksheet\b[^>]*>")
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["'][^>]*>""")
_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d+)")
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_S_ATTR = re.compile(rb"""\ss\s*=\s*["'](\d*)["']""")
_SPANS = re.compile(rb"""\sspans\s*=\s*["']([^"']*)["']""")
_DIGITS = b"0123456789"


class SheetPatcher:
    """Patches one worksheet part; ``run`` turns its chunks into the new part's chunks."""

    def __init__(self, notes: SheetNotes, styles: StyleBook, *, date1904: bool,
                 legacy_rid: str | None) -> None:
        self.notes = notes
        self.width = notes.width
        self.styles = styles
        self.date1904 = date1904
        self._new_legacy_rid = legacy_rid
        self.legacy_rid: str | None = None  # after run: the sheet's legacy drawing, if any
        self.legacy_added = False
        targets = set(notes.rows)
        if notes.header_row > 0:
            targets.add(notes.header_row)
        self._targets = sorted(targets)
        self._letters = [column_letter(self.width + i).encode() for i in range(ADDED)]
        self._col_styles: dict[int, int] = {}
        self._header_xf: int | None = None
        self._fill_xfs: dict[str, dict[int, bytes]] = {}
        self._columns: dict[bytes, int] = {}
        self._p = b""

    # -- the stream ------------------------------------------------------------------

    def run(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        source = iter(chunks)
        buf = b""
        for chunk in source:
            buf += chunk
            if _SHEET_DATA.search(buf):
                break
        m = _SHEET_DATA.search(buf)
        if m is None:
            raise ValueError(f"sheet {self.notes.name!r} has no <sheetData>")
        p = self._p = m.group(1) or b""
        yield self._patch_head(buf[:m.start()])
        yield b"<%ssheetData>" % p
        buf = buf[m.end():]
        end_tag = b"</%ssheetData>" % p
        if m.group(2):  # <sheetData/>: no rows at all
            buf = end_tag + buf
        open_tag, close_tag = b"<%srow" % p, b"</%srow>" % p
        targets, ti, last = self._targets, 0, 0
        out: list[bytes] = []
        while True:
            stop = buf.find(end_tag)
            limit = stop if stop >= 0 else len(buf)
            pos = seg = 0
            while ti < len(targets):
                start = buf.find(open_tag, pos, limit)
                if start < 0:
                    break
                tag_end = buf.find(b">", start, limit)
                if tag_end < 0:
                    break
                closed = buf[tag_end - 1] == 47  # "/>"
                if closed:
                    row_end = tag_end + 1
                else:
                    close = buf.find(close_tag, tag_end, limit)
                    if close < 0:
                        break
                    row_end = close + len(close_tag)
                attrs = buf[start + len(open_tag):tag_end - 1 if closed else tag_end]
                number = self._row_number(attrs)
                last = number if number is not None else last + 1
                pos = row_end
                if last < targets[ti]:
                    continue
                out.append(buf[seg:start])
                while ti < len(targets) and targets[ti] < last:
                    out.append(self._new_row(targets[ti]))
                    ti += 1
                if ti < len(targets) and targets[ti] == last:
                    body = b"" if closed else buf[tag_end + 1:row_end - len(close_tag)]
                    out.append(self._patch_row(attrs, body, last))
                    ti += 1
                else:
                    out.append(buf[start:row_end])
                seg = row_end
            if stop >= 0 or ti >= len(targets):
                # Every noted row is done: copy the rest up to </sheetData> as it is.
                if stop < 0:
                    keep = len(end_tag) - 1
                    for chunk in source:
                        out.append(buf[seg:-keep] if len(buf) - seg > keep else b"")
                        buf = buf[max(seg, len(buf) - keep):] + chunk
                        seg = 0
                        stop = buf.find(end_tag)
                        if stop >= 0:
                            break
                        yield b"".join(out)
                        out = []
                    if stop < 0:
                        raise ValueError(f"sheet {self.notes.name!r}: <sheetData> is not closed")
                out.append(buf[seg:stop])
                while ti < len(targets):
                    out.append(self._new_row(targets[ti]))
                    ti += 1
                yield b"".join(out)
                break
            out.append(buf[seg:pos])
            yield b"".join(out)
            out = []
            buf = buf[pos:]
            chunk = next(source, None)
            if chunk is None:
                raise ValueError(f"sheet {self.notes.name!r}: <sheetData> is not closed")
            buf += chunk
        tail = buf[stop:] + b"".join(source)
        yield self._patch_tail(tail)

    @staticmethod
    def _row_number(attrs: bytes) -> int | None:
        i = attrs.find(b' r="')
        if i >= 0:
            j = attrs.find(b'"', i + 4)
            value = attrs[i + 4:j]
        else:
            m = _R_ATTR.search(attrs)
            if m is None:
                return None
            value = m.group(1)
        return int(value) if value.isdigit() else None

    # -- head and tail -------------------------------------------------------------

    def _patch_head(self, head: bytes) -> bytes:
        root = _ROOT.search(head)
        if root is None:
            raise ValueError(f"sheet {self.notes.name!r} has no <worksheet> element")
        self._root_prefix = root.group(1) or b""
        self._rel_prefix = namespace_prefix(root.group(0), REL_NAMESPACES)
        dim = _DIMENSION.search(head)
        if dim is not None:
            head = head[:dim.start(1)] + self._dimension(dim.group(1)) + head[dim.end(1):]
        return self._patch_cols(head)

    def _dimension(self, ref: bytes) -> bytes:
        cells = _REF.findall(ref)
        if not cells:
            return ref
        (c1, r1), (c2, r2) = cells[0], cells[-1]
        last_col = max(column_index(c2), self.width + ADDED - 1)
        last_row = max([int(r2), *self._targets])
        return b"%s%s:%s%d" % (c1.upper(), r1, column_letter(last_col).encode(), last_row)

    def _patch_cols(self, head: bytes) -> bytes:
        p = self._p
        sections = list(re.finditer(
            rb"<%scols\b[^>]*?(?:/>|>(.*?)</%scols>)" % (p, p), head, re.S))
        lo, hi = self.width + 1, self.width + ADDED  # 1-based, as in <col min max>
        kept: list[tuple[int, bytes]] = []
        for section in sections:
            for col in re.findall(rb"<%scol\b[^>]*?(?:/>|>\s*</%scol>)" % (p, p),
                                  section.group(1) or b""):
                values = attributes(col)
                first, end = int(values.get(b"min", "1")), int(values.get(b"max", "1"))
                style = int(values.get(b"style", "0") or 0)
                for index in range(max(first, 1) - 1, min(end, self.width)):
                    self._col_styles[index] = style
                if end < lo or first > hi:
                    kept.append((first, col))
                    continue
                if first < lo:
                    kept.append((first, set_attributes(col, {"max": str(lo - 1)})))
                if end > hi:
                    kept.append((hi + 1, set_attributes(col, {"min": str(hi + 1)})))
        for i, width in enumerate(COLUMN_WIDTHS):
            kept.append((lo + i, b'<%scol min="%d" max="%d" width="%s" customWidth="1"/>'
                         % (p, lo + i, lo + i, str(width + 0.7109375).encode())))
        kept.sort(key=lambda item: item[0])
        cols = b"<%scols>%s</%scols>" % (p, b"".join(col for _, col in kept), p)
        if not sections:
            return head + cols
        first_section = sections[0]
        out = head[:first_section.start()] + cols
        pos = first_section.end()
        for section in sections[1:]:
            out += head[pos:section.start()]
            pos = section.end()
        return out + head[pos:]

    def _patch_tail(self, tail: bytes) -> bytes:
        if self._new_legacy_rid is None:
            return tail
        insert_at = None
        for name, start, tag_end in top_level(tail, depth=1):
            if name == b"legacyDrawing":
                for attr, value in attributes(tail[start:tag_end]).items():
                    if attr.endswith(b":id"):
                        self.legacy_rid = value
                return tail
            if name in AFTER_LEGACY_DRAWING and insert_at is None:
                insert_at = start
        if insert_at is None:
            insert_at = tail.rindex(b"</")
        rid = self._new_legacy_rid.encode()
        if self._rel_prefix:
            element = b'<%slegacyDrawing %sid="%s"/>' % (self._root_prefix, self._rel_prefix, rid)
        else:
            element = b'<%slegacyDrawing xmlns:r="%s" r:id="%s"/>' % (
                self._root_prefix, REL_NAMESPACES[0], rid)
        self.legacy_rid, self.legacy_added = self._new_legacy_rid, True
        return tail[:insert_at] + element + tail[insert_at:]

    # -- rows ------------------------------------------------------------------------

    def _new_row(self, number: int) -> bytes:
        """A row the sheet did not have (its cells were all empty)."""
        p = self._p
        note, fill = self._note(number)
        gaps = self._gaps(0, self.width, number, fill, None) if fill else b""
        cells = b"".join(c for c in self._added(number, note, None) if c)
        return b'<%srow r="%d">%s%s</%srow>' % (p, number, gaps, cells, p)

    def _note(self, number: int) -> tuple[RowNote | None, str | None]:
        if number == self.notes.header_row:
            return None, None
        note = self.notes.rows.get(number)
        return note, row_fill(note)

    def _patch_row(self, attrs: bytes, body: bytes, number: int) -> bytes:
        p = self._p
        note, fill = self._note(number)
        ext = body.find(b"<%sextLst" % p)
        body, ext_part = (body[:ext], body[ext:]) if ext >= 0 else (body, b"")
        row_xf = self._row_style(attrs)
        added = self._added(number, note, body)
        last = self._last_column(body)
        if last is not None and last < self.width:
            if fill:
                body, last = self._restyle(body, fill, number, row_xf)
                body += self._gaps(last + 1, self.width, number, fill, row_xf)
            body += b"".join(c for c in added if c)
        else:
            body = self._merge(body, added, fill, number, row_xf)
        return b"<%srow%s>%s%s</%srow>" % (p, self._spans(attrs), body, ext_part, p)

    def _spans(self, attrs: bytes) -> bytes:
        m = _SPANS.search(attrs)
        if m is None:
            return attrs
        span = re.fullmatch(rb"(\d+):(\d+)", m.group(1).strip())
        if span is None:  # several ranges: the attribute is only a hint, drop it
            return attrs[:m.start()] + attrs[m.end():]
        last = max(int(span.group(2)), self.width + ADDED)
        return attrs[:m.start(1)] + b"%s:%d" % (span.group(1), last) + attrs[m.end(1):]

    @staticmethod
    def _row_style(attrs: bytes) -> int | None:
        values = attributes(b"<row" + attrs + b">")
        if values.get(b"customFormat") in ("1", "true") and values.get(b"s", "").isdigit():
            return int(values[b"s"])
        return None

    def _column(self, attrs: bytes, previous: int) -> int:
        i = attrs.find(b' r="')
        if i >= 0:
            ref = attrs[i + 4:attrs.find(b'"', i + 4)]
        else:
            m = _R_ATTR.search(attrs)
            if m is None:
                return previous + 1
            ref = m.group(1)
        letters = ref.rstrip(_DIGITS)
        col = self._columns.get(letters)
        if col is None:
            col = self._columns[letters] = column_index(letters)
        return col

    def _last_column(self, body: bytes) -> int | None:
        """Column of the row's last cell (-1: no cells; None: cells without references)."""
        p = self._p
        start = max(body.rfind(b"<%sc " % p), body.rfind(b"<%sc>" % p), body.rfind(b"<%sc/>" % p))
        if start < 0:
            return -1
        tag = body[start:body.find(b">", start)]
        if b"r=" not in tag:
            return None
        return self._column(tag[len(p) + 2:], -1)

    def _cell_re(self) -> re.Pattern[bytes]:
        return re.compile(rb"<%sc\b([^>]*?)(/?)>" % self._p)

    def _restyle(self, body: bytes, fill: str, number: int,
                 row_xf: int | None) -> tuple[bytes, int]:
        """The row's cells with their filled formats, gaps filled; and the last column."""
        p, width = self._p, self.width
        state = [-1]

        def cell(m: re.Match[bytes]) -> bytes:
            attrs = m.group(1)
            previous = state[0]
            col = state[0] = self._column(attrs, previous)
            gaps = self._gaps(previous + 1, min(col, width), number, fill, row_xf) \
                if col > previous + 1 else b""
            return gaps + b"<%sc%s%s>" % (p, self._filled(attrs, fill), m.group(2))

        return self._cell_re().sub(cell, body), state[0]

    def _filled(self, attrs: bytes, fill: str) -> bytes:
        """A cell's attributes with its format replaced by the filled copy."""
        table = self._fill_xfs.setdefault(fill, {})
        i = attrs.find(b' s="')
        if i >= 0:
            j = attrs.find(b'"', i + 4)
            value = attrs[i + 4:j]
            start, end = i + 4, j
        else:
            m = _S_ATTR.search(attrs)
            if m is None:
                return attrs + b' s="%s"' % self._filled_xf(table, 0, fill)
            value, start, end = m.group(1), m.start(1), m.end(1)
        base = int(value) if value.isdigit() else 0
        return attrs[:start] + self._filled_xf(table, base, fill) + attrs[end:]

    def _filled_xf(self, table: dict[int, bytes], base: int, fill: str) -> bytes:
        found = table.get(base)
        if found is None:
            found = table[base] = str(self.styles.xf(base, fill=fill)).encode()
        return found

    def _gaps(self, first: int, end: int, number: int, fill: str | None,
              row_xf: int | None) -> bytes:
        """Empty filled cells for the columns first..end-1 the row has no cell in."""
        if not fill or first >= end:
            return b""
        table = self._fill_xfs.setdefault(fill, {})
        p = self._p
        return b"".join(
            b'<%sc r="%s%d" s="%s"/>' % (
                p, column_letter(col).encode(), number,
                self._filled_xf(table, row_xf if row_xf is not None
                                else self._col_styles.get(col, 0), fill))
            for col in range(first, end))

    def _merge(self, body: bytes, added: list[bytes | None], fill: str | None, number: int,
               row_xf: int | None) -> bytes:
        """Slow path: the row already has cells at or right of the added columns."""
        p = self._p
        cells: list[tuple[int, bytes]] = []
        previous = -1
        for m in re.finditer(rb"<%sc\b([^>]*?)(/>|>.*?</%sc>)" % (p, p), body, re.S):
            col = previous = self._column(m.group(1), previous)
            if self.width <= col < self.width + ADDED and added[col - self.width]:
                continue  # an added cell takes its place
            attrs = self._filled(m.group(1), fill) if fill and col < self.width else m.group(1)
            cells.append((col, b"<%sc%s%s" % (p, attrs, m.group(2))))
        if fill:
            present = {col for col, _ in cells}
            cells.extend((col, self._gaps(col, col + 1, number, fill, row_xf))
                         for col in range(self.width) if col not in present)
        cells.extend((self.width + i, c) for i, c in enumerate(added) if c)
        cells.sort(key=lambda item: item[0])
        return b"".join(c for _, c in cells)

    # -- the added cells ---------------------------------------------------------------

    def _added(self, number: int, note: RowNote | None, body: bytes | None) -> list[bytes | None]:
        if number == self.notes.header_row:
            xf = self._header_style(body)
            return [self._cell(i, number, ("text", word), xf)
                    for i, word in enumerate(ANNOTATION_HEADERS)]
        if note is None:
            return [None] * ADDED
        fill = row_fill(note)
        out: list[bytes | None] = []
        for i, cell in enumerate(note_cells(note)):
            is_date = i == 2
            if cell is None and not fill:
                out.append(None)
                continue
            out.append(self._cell(i, number, cell, self.styles.xf(0, fill=fill, date=is_date)))
        return out

    def _header_style(self, body: bytes | None) -> int:
        """The user's own header format (of the last header cell), else bold."""
        if self._header_xf is None:
            base = 0
            previous = -1
            for m in self._cell_re().finditer(body or b""):
                previous = self._column(m.group(1), previous)
                if previous == self.width - 1:
                    s = _S_ATTR.search(m.group(1))
                    base = int(s.group(1)) if s and s.group(1) else 0
            self._header_xf = base if base else self.styles.xf(0, bold=True)
        return self._header_xf

    def _cell(self, index: int, number: int, cell: Cell | None, xf: int) -> bytes:
        p = self._p
        ref = b"%s%d" % (self._letters[index], number)
        style = b' s="%d"' % xf if xf else b""
        if cell is None:
            return b'<%sc r="%s"%s/>' % (p, ref, style)
        kind, value = cell
        if kind == "text":
            text = xml_text(excel_text(str(value)))
            return (b'<%sc r="%s"%s t="inlineStr"><%sis><%st xml:space="preserve">%s</%st>'
                    b"</%sis></%sc>" % (p, ref, style, p, p, text, p, p, p))
        if kind == "date":
            serial = excel_serial(value, self.date1904)  # type: ignore[arg-type]
            return b'<%sc r="%s"%s><%sv>%s</%sv></%sc>' % (
                p, ref, style, p, repr(serial).encode(), p, p)
        number = repr(float(value)) if isinstance(value, float) else str(int(value))  # type: ignore[call-overload]
        return b'<%sc r="%s"%s><%sv>%s</%sv></%sc>' % (p, ref, style, p, number.encode(), p, p)
