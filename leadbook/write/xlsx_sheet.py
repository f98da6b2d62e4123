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

from ..excel import column_index, column_letter
from ..model import SheetNotes
from .annotation_cells import COLUMN_WIDTHS, added_headers
from .xlsx_rows import ADDED, RowPatcher
from .xlsx_styles import StyleBook
from .xml_scan import attributes, namespace_prefix, set_attributes, top_level

REL_NAMESPACES = (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                  b"http://purl.oclc.org/ooxml/officeDocument/relationships")
# CT_Worksheet elements that come after <legacyDrawing> (mc:AlternateContent
# wraps controls and OLE objects, which come after it too).
AFTER_LEGACY_DRAWING = {b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls",
                        b"webPublishItems", b"tableParts", b"extLst", b"AlternateContent"}

_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<(\w+:)?worksheet\b[^>]*>")
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["'][^>]*>""")
_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d+)")
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")


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
        self._col_styles: dict[int, int] = {}
        self._p = b""
        self._root_prefix = b""
        self._rel_prefix: bytes | None = None

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
        rows = RowPatcher(width=self.width, header_row=self.notes.header_row,
                          notes=self.notes.rows, headers=added_headers(self.notes),
                          styles=self.styles, date1904=self.date1904,
                          prefix=p, col_styles=self._col_styles)
        yield b"<%ssheetData>" % p
        buf = buf[m.end():]
        end_tag = b"</%ssheetData>" % p
        if m.group(2):  # <sheetData/>: no rows at all
            buf = end_tag + buf
        open_tag, close_tag = b"<%srow" % p, b"</%srow>" % p
        skip, close_len = len(open_tag), len(close_tag)
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
                    row_end = close + close_len
                attrs = buf[start + skip:tag_end - 1 if closed else tag_end]
                if attrs[:4] == b' r="':
                    value = attrs[4:attrs.find(b'"', 4)]
                    last = int(value) if value.isdigit() else last + 1
                else:
                    number = self._row_number(attrs)
                    last = number if number is not None else last + 1
                pos = row_end
                if last < targets[ti]:
                    continue
                out.append(buf[seg:start])
                while ti < len(targets) and targets[ti] < last:
                    out.append(rows.new_row(targets[ti]))
                    ti += 1
                if ti < len(targets) and targets[ti] == last:
                    body = b"" if closed else buf[tag_end + 1:row_end - close_len]
                    out.append(rows.patch(attrs, body, last))
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
                    out.append(rows.new_row(targets[ti]))
                    ti += 1
                yield b"".join(out)
                break
            out.append(buf[seg:pos])
            yield b"".join(out)
            out = []
            buf = buf[pos:]
            more = next(source, None)
            if more is None:
                raise ValueError(f"sheet {self.notes.name!r}: <sheetData> is not closed")
            buf += more
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
