"""Patch the <row> elements of a worksheet: added cells, row fills, header words.

Called once per noted row of a sheet that may have 100,000 of them, so the
common shapes are done with byte operations that run in C: the row's cell
tags are split out with one ``split``, and the row's new body is made by one
``bytes %`` from a recipe worked out once per tag layout and fill: the cells'
contents between the filled tags and the missing cells (a coloured row is
coloured edge to edge). A layout's first row is done the long way (formats
swapped with ``bytes.replace``, missing cells inserted where their neighbours
are found), and its recipe is kept only if it gives the same bytes. Rows that
look unusual (cells without references, out of order, or reaching into the
added columns) take a slower cell-by-cell path that handles any valid row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from ..excel import column_index, column_letter, excel_serial
from ..model import RowNote
from ..vocab import ANNOTATION_HEADERS
from .annotation_cells import FILL_COLORS, excel_text, row_fill
from .xlsx_styles import StyleBook
from .xml_scan import attributes, xml_text

ADDED = len(ANNOTATION_HEADERS)
CACHE_LIMIT = 4096
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
# Any value: a cell with s="-1" or s="x" gets its value replaced, never a second s.
_S_ATTR = re.compile(rb"""\ss\s*=\s*["']([^"']*)["']""")
_SPANS = re.compile(rb"""\sspans\s*=\s*["']([^"']*)["']""")
_S_VALUE = re.compile(rb' s="([^"]*)"')
_DIGITS = b"0123456789"


@dataclass(frozen=True)
class _Shape:
    """The cell tags of a row, analysed: formats used, where filler cells go."""

    with_s: int  # how many cells carry an s attribute
    values: tuple[bytes, ...]  # the distinct s values
    no_s: bool  # some cells carry none
    gaps: tuple[tuple[bytes | None, tuple[int, ...]], ...]  # (insert before column, columns)


@dataclass(frozen=True)
class _Recipe:
    """A filled row's new body for one tag layout, fill and row format: ``fmt % pick(
    parts + [number])``, where ``parts`` is the row split at its cell tags (the
    contents between them at the even places). ``tags`` is the layout's tags split
    at their row numbers: a row whose tags are ``number.join(tags)`` is this layout."""

    tags: list[bytes]
    fmt: bytes
    pick: Any  # operator.itemgetter over parts + [number]


_UNSEEN = object()  # a layout and fill whose first row is yet to come
# Where the row number goes in a pattern of added cells: a byte no XML text holds.
_NUMBER = b"\x00"


class RowPatcher:
    def __init__(self, *, width: int, header_row: int, notes: dict[int, RowNote],
                 styles: StyleBook, date1904: bool, prefix: bytes,
                 col_styles: dict[int, int],
                 headers: tuple[str, ...] = ANNOTATION_HEADERS) -> None:
        self.width, self.header_row, self.notes = width, header_row, notes
        self.headers = headers  # the added headers, in the run's language
        self.styles, self.date1904, self._p = styles, date1904, prefix
        self._col_styles = col_styles
        p = re.escape(prefix)
        self._tag_re = re.compile(rb"<" + p + rb"c\b[^>]*>")
        self._tag_split_re = re.compile(rb"(<" + p + rb"c\b[^>]*>)")
        self._letters_re = re.compile(rb"<" + p + rb'c r="([A-Z]{1,3})"')
        self._s_after_r_re = re.compile(rb"<" + p + rb'c r="[A-Z]{1,3}" s="')
        self._no_s_re = re.compile(rb"<" + p + rb'c (?=r="[A-Z]{1,3}\d+"(?! s="))')
        self._cell_r = b'<%sc r="' % prefix
        self._cell_open, self._cell_bare = b"<%sc " % prefix, b"<%sc>" % prefix
        self._no_s_repl: dict[str, bytes] = {}
        self._cell_start_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(/?)>")
        self._cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(/>|>.*?</" + p + rb"c>)", re.S)
        letters = [column_letter(width + i).encode() for i in range(ADDED)]
        self._open = [b'<%sc r="%s' % (prefix, letter) for letter in letters]
        self._text_mid = b' t="inlineStr"><%sis><%st xml:space="preserve">' % (prefix, prefix)
        self._text_end = b"</%st></%sis></%sc>" % (prefix, prefix, prefix)
        self._value_end = b"</%sv></%sc>" % (prefix, prefix)
        self._v_open = b"><%sv>" % prefix
        self._columns: dict[bytes, int] = {}
        self._shapes: dict[tuple[bytes, tuple[bytes, ...]], _Shape | None] = {}
        self._swaps: dict[tuple[str, bytes], tuple[bytes, bytes]] = {}
        self._texts: dict[str, bytes] = {}
        self._styles_attr: dict[tuple[str | None, bool], bytes] = {}
        self._header_xf: int | None = None
        self._row_open, self._row_close = b"<%srow" % prefix, b"</%srow>" % prefix
        self._serials: dict[object, bytes] = {}
        self._filler_pieces: dict[tuple[tuple[int, ...], str, int | None], list[bytes]] = {}
        self._recipes: dict[tuple[tuple[bytes, tuple[bytes, ...]], str, int | None], Any] = {}
        self._added_pieces: dict[tuple[object, ...], list[bytes]] = {}

    # -- rows ------------------------------------------------------------------------

    def _note(self, number: int) -> tuple[RowNote | None, str | None]:
        if number == self.header_row:
            return None, None
        note = self.notes.get(number)
        return note, (note.fill if note is not None and note.fill in FILL_COLORS else None)

    def new_row(self, number: int) -> bytes:
        """A noted row the sheet had no <row> for (its cells were all empty)."""
        p = self._p
        note, fill = self._note(number)
        gaps = self._fillers(tuple(range(self.width)), number, fill, None) if fill else b""
        cells = self._added_bytes(number, note, None)
        return b'<%srow r="%d">%s%s</%srow>' % (p, number, gaps, cells, p)

    def patch(self, attrs: bytes, body: bytes, number: int) -> bytes:
        """A noted row (or the header row) with its added cells and fill."""
        note, fill = self._note(number)
        ext_part = b""
        if b"extLst" in body:
            ext = body.find(b"<%sextLst" % self._p)
            if ext >= 0:
                body, ext_part = body[:ext], body[ext:]
        row_xf = self._row_style(attrs) if b"customFormat" in attrs else None
        new_body = None
        if fill:
            new_body = self._restyle_fast(body, fill, number, row_xf)
            if new_body is None:
                last = self._last_column(body)
                if last is not None and last < self.width:
                    new_body, last = self._restyle(body, fill, number, row_xf)
                    gap = tuple(range(last + 1, self.width))
                    new_body += self._fillers(gap, number, fill, row_xf)
        else:
            last = self._last_column(body)
            if last is not None and last < self.width:
                new_body = body
        if new_body is None:
            new_body = self._merge(body, self._added(number, note, body), fill, number, row_xf)
        else:
            new_body += self._added_bytes(number, note, body)
        if b"spans" in attrs:
            attrs = self._spans(attrs)
        return b"".join((self._row_open, attrs, b">", new_body, ext_part, self._row_close))

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

    # -- cell columns ------------------------------------------------------------------

    def _column(self, attrs: bytes, previous: int) -> int:
        m = _R_ATTR.search(attrs)
        if m is None:
            return previous + 1
        letters = m.group(1).rstrip(_DIGITS)
        col = self._columns.get(letters)
        if col is None:
            col = self._columns[letters] = column_index(letters)
        return col

    def _last_column(self, body: bytes) -> int | None:
        """Column of the row's last cell (-1: no cells; None: not known from its tag)."""
        start = body.rfind(self._cell_r)
        if start >= 0 and body.count(self._cell_open) == body.count(self._cell_r) \
                and self._cell_bare not in body:
            ref = body[start + len(self._cell_r):body.find(b'"', start + len(self._cell_r))]
            letters = ref.rstrip(_DIGITS)
            col = self._columns.get(letters)
            if col is None:
                col = self._columns[letters] = column_index(letters) if letters.isalpha() else -2
            if col >= 0:
                return col
        p = self._p
        start = max(body.rfind(self._cell_open), body.rfind(self._cell_bare),
                    body.rfind(b"<%sc/>" % p))
        if start < 0:
            return -1
        tag = body[start:body.find(b">", start)]
        if b"r=" not in tag:
            return None
        return self._column(tag, -1)

    def _shape(self, key: bytes, values: tuple[bytes, ...], count: int) -> _Shape | None:
        """What a row's cell tags (row number taken out) need; None for the slow path."""
        with_s = key.count(b' s="')
        if with_s != key.count(b"s="):
            return None  # an s attribute written another way
        if len(self._s_after_r_re.findall(key)) != with_s:
            return None  # s not right after r: the fast insertion could double it
        letters = self._letters_re.findall(key)
        if len(letters) != count:
            return None
        cols = [column_index(letter) for letter in letters]
        if any(b <= a for a, b in zip(cols, cols[1:], strict=False)) or cols[-1] >= self.width:
            return None  # out of order, or reaching the added columns
        at = dict(zip(cols, letters, strict=True))
        gaps: list[tuple[bytes | None, tuple[int, ...]]] = []
        run: list[int] = []
        for col in range(self.width):
            if col not in at:
                run.append(col)
            elif run:
                gaps.append((at[col], tuple(run)))
                run = []
        if run:
            gaps.append((None, tuple(run)))
        # each style once, in the order met: the styles added for the fills are then
        # numbered alike on every run
        return _Shape(with_s, tuple(dict.fromkeys(values)), with_s < count, tuple(gaps))

    # -- filled rows -------------------------------------------------------------------

    def _restyle_fast(self, body: bytes, fill: str, number: int,
                      row_xf: int | None) -> bytes | None:
        """Fill a row whose cells are written the common way; None when it is not.

        Rows of one sheet mostly share a few tag shapes (which columns, which
        formats), so the shape — the cell tags with the row number taken out —
        is analysed once and cached, and so is the recipe of its filled rows.
        """
        parts = self._tag_split_re.split(body)
        if len(parts) < 3:
            return None
        tags = parts[1::2]
        joined = b"".join(tags)
        num = b"%d" % number
        # The row number comes out of the r attributes (and of any s value that
        # ends like it, which is why the s values are part of the key).
        key = (joined.replace(num + b'"', b'"'), tuple(_S_VALUE.findall(joined)))
        if key in self._shapes:
            shape = self._shapes[key]
        else:
            if len(self._shapes) > CACHE_LIMIT:
                self._shapes.clear()
            shape = self._shapes[key] = self._shape(key[0], key[1], len(tags))
        if shape is None or shape.with_s != body.count(b' s="'):
            return None  # (a cell text holding ' s="' must not be touched)
        recipe = self._recipes.get((key, fill, row_xf), _UNSEEN)
        if recipe is _UNSEEN:
            new = self._restyle_replacing(body, shape, fill, number, row_xf)
            if len(self._recipes) > CACHE_LIMIT:
                self._recipes.clear()
            self._recipes[(key, fill, row_xf)] = None if new is None else self._recipe(
                parts, shape, fill, num, row_xf, new)
            return new
        if recipe is None or num.join(recipe.tags) != joined:
            return self._restyle_replacing(body, shape, fill, number, row_xf)
        parts.append(num)
        filled: bytes = recipe.fmt % recipe.pick(parts)
        return filled

    def _restyle_replacing(self, body: bytes, shape: _Shape, fill: str, number: int,
                           row_xf: int | None) -> bytes | None:
        """A filled row of a known shape the long way: formats swapped in the row's
        bytes, missing cells inserted before the cells found after them."""
        num_quote = b'%d"' % number
        swaps = self._swaps
        for value in shape.values:
            swap = swaps.get((fill, value)) or self._swap(fill, value)
            if swap is None:
                return None
            body = body.replace(swap[0], swap[1])
        for before, cols in shape.gaps:
            cells = self._fillers(cols, number, fill, row_xf)
            if before is None:
                body += cells
                continue
            at = body.find(b"%s%s%s" % (self._cell_r, before, num_quote))
            if at < 0:
                return None
            body = body[:at] + cells + body[at:]
        if shape.no_s:
            body = self._no_s_re.sub(self._no_s_fill(fill), body)
        return body

    def _recipe(self, parts: list[bytes], shape: _Shape, fill: str, num: bytes,
                row_xf: int | None, expected: bytes) -> _Recipe | None:
        """The recipe of a shape's filled rows, from its first row (``parts``, done the
        long way as ``expected``); None when it would not give the same bytes."""
        head = len(self._cell_r)
        fmt: list[bytes] = []
        pick: list[int] = []
        number_at = len(parts)  # the row number, appended to the parts

        def fixed(piece: bytes) -> None:
            fmt.append(piece.replace(b"%", b"%%"))

        def given(index: int) -> None:
            fmt.append(b"%s")
            pick.append(index)

        def fillers(cols: tuple[int, ...]) -> None:
            for i, piece in enumerate(self._filler_pieces_of(cols, fill, row_xf)):
                if i:
                    given(number_at)
                fixed(piece)

        before = {letter: cols for letter, cols in shape.gaps if letter is not None}
        tags: list[bytes] = []
        rest = b""
        given(0)
        for i, tag in enumerate(parts[1::2]):
            end = tag.find(b'"', head)
            if end < 0 or tag[end - len(num):end] != num:
                return None
            letters, tail = tag[head:end - len(num)], tag[end:]
            tags.append(rest + tag[:end - len(num)])
            rest = tail
            if letters in before:
                fillers(before[letters])
            for value in shape.values:
                old, new = self._swaps[(fill, value)]
                tail = tail.replace(old, new)
            opening = tag[:head] if tail.startswith(b'" s="') or not shape.no_s else (
                self._no_s_fill(fill) + b'r="')
            fixed(opening + letters)
            given(number_at)
            fixed(tail)
            given(2 * i + 2)
        tags.append(rest)
        for letter, cols in shape.gaps:
            if letter is None:
                fillers(cols)
        recipe = _Recipe(tags, b"".join(fmt), itemgetter(*pick))
        if recipe.fmt % recipe.pick([*parts, num]) != expected:
            return None
        return recipe

    def _no_s_fill(self, fill: str) -> bytes:
        found = self._no_s_repl.get(fill)
        if found is None:
            xf = self.styles.xf(0, fill=fill)
            found = self._no_s_repl[fill] = b'<%sc s="%d" ' % (self._p, xf)
        return found

    def _swap(self, fill: str, value: bytes) -> tuple[bytes, bytes] | None:
        """(' s="3"', ' s="57"'): a format and its filled copy, as written in a cell tag."""
        base = int(value) if value.isdigit() else -1
        if not 0 <= base < self.styles.count:
            return None
        swap = self._swaps[(fill, value)] = (b' s="%s"' % value,
                                             b' s="%d"' % self.styles.xf(base, fill=fill))
        return swap

    def _restyle(self, body: bytes, fill: str, number: int,
                 row_xf: int | None) -> tuple[bytes, int]:
        """Slow path: each cell's format swapped, missing cells inserted; and the last column."""
        p, width = self._p, self.width
        state = [-1]

        def cell(m: re.Match[bytes]) -> bytes:
            previous = state[0]
            col = state[0] = self._column(m.group(1), previous)
            gaps = self._fillers(tuple(range(previous + 1, min(col, width))), number, fill,
                                 row_xf)
            return gaps + b"<%sc%s%s>" % (p, self._filled(m.group(1), fill), m.group(2))

        return self._cell_start_re.sub(cell, body), state[0]

    def _filled(self, attrs: bytes, fill: str) -> bytes:
        m = _S_ATTR.search(attrs)
        base = int(m.group(1)) if m and m.group(1).isdigit() else 0
        xf = b"%d" % self.styles.xf(base, fill=fill)
        if m is None:
            return attrs + b' s="%s"' % xf
        return attrs[:m.start(1)] + xf + attrs[m.end(1):]

    def _fillers(self, cols: tuple[int, ...], number: int, fill: str | None,
                 row_xf: int | None) -> bytes:
        """Empty cells carrying the row's fill, for columns the row has no cell in."""
        if not fill or not cols:
            return b""
        return (b"%d" % number).join(self._filler_pieces_of(cols, fill, row_xf))

    def _filler_pieces_of(self, cols: tuple[int, ...], fill: str,
                          row_xf: int | None) -> list[bytes]:
        """The empty filled cells of ``cols``, split where their row number goes."""
        key = (cols, fill, row_xf)
        pieces = self._filler_pieces.get(key)
        if pieces is None:
            if len(self._filler_pieces) > CACHE_LIMIT:
                self._filler_pieces.clear()
            pieces = [b'<%sc r="%s' % (self._p, column_letter(cols[0]).encode())]
            for i, col in enumerate(cols):
                base = row_xf if row_xf is not None else self._col_styles.get(col, 0)
                end = b'" s="%d"/>' % self.styles.xf(base, fill=fill)
                if i + 1 < len(cols):
                    end += b'<%sc r="%s' % (self._p, column_letter(cols[i + 1]).encode())
                pieces.append(end)
            self._filler_pieces[key] = pieces
        return pieces

    def _merge(self, body: bytes, added: list[bytes | None], fill: str | None, number: int,
               row_xf: int | None) -> bytes:
        """Slow path for any row, also one with cells at or right of the added columns."""
        p = self._p
        cells: list[tuple[int, bytes]] = []
        previous = -1
        for m in self._cell_re.finditer(body):
            col = previous = self._column(m.group(1), previous)
            if self.width <= col < self.width + ADDED and added[col - self.width]:
                continue  # an added cell takes its place
            attrs = self._filled(m.group(1), fill) if fill and col < self.width else m.group(1)
            cells.append((col, b"<%sc%s%s" % (p, attrs, m.group(2))))
        if fill:
            present = {col for col, _ in cells}
            cells.extend((col, self._fillers((col,), number, fill, row_xf))
                         for col in range(self.width) if col not in present)
        cells.extend((self.width + i, c) for i, c in enumerate(added) if c)
        cells.sort(key=lambda item: item[0])
        return b"".join(c for _, c in cells)

    # -- the added cells ---------------------------------------------------------------

    def _added(self, number: int, note: RowNote | None, body: bytes | None) -> list[bytes | None]:
        """The five added cells of a row (None where there is nothing to write)."""
        if number == self.header_row:
            num = b"%d" % number
            style = b' s="%d"' % self._header_style(body)
            return [self._text(i, num, style, word) for i, word in enumerate(self.headers)]
        if note is None:
            return [None] * ADDED
        return self._note_cells(number, note, row_fill(note))

    def _added_bytes(self, number: int, note: RowNote | None, body: bytes | None) -> bytes:
        """The added cells of a row, joined: a noted row's from its notes' pattern
        (:meth:`_pattern`) with the row number put in."""
        if note is not None and number != self.header_row:
            pieces = self._pattern(note)
            if pieces is not None:
                return (b"%d" % number).join(pieces)
        return b"".join([c for c in self._added(number, note, body) if c])

    def _pattern(self, note: RowNote) -> list[bytes] | None:
        """A noted row's added cells cut where the row number goes: rows of one sheet
        share a few hundred patterns (grade, change, hint, day, days overdue, fill),
        each made once. None should a text hold the mark."""
        key = note[:6]  # what the cells show; the comment goes elsewhere
        pieces = self._added_pieces.get(key)
        if pieces is None:
            cells = [c for c in self._note_cells_at(_NUMBER, note, row_fill(note)) if c]
            joined = b"".join(cells)
            if joined.count(_NUMBER) != len(cells):
                return None
            if len(self._added_pieces) > CACHE_LIMIT:
                self._added_pieces.clear()
            pieces = self._added_pieces[key] = joined.split(_NUMBER)
        return pieces

    def _note_cells(self, number: int, note: RowNote, fill: str | None) -> list[bytes | None]:
        """A noted row's added cells; a coloured row gets empty coloured cells too."""
        return self._note_cells_at(b"%d" % number, note, fill)

    def _note_cells_at(self, num: bytes, note: RowNote, fill: str | None) -> list[bytes | None]:
        plain, date = self._style(fill, False), self._style(fill, True)
        op = self._open
        cells: list[bytes | None] = [None] * ADDED
        for i, text in ((0, note.system_grade), (1, note.grade_change), (4, note.hint)):
            if text:
                cells[i] = self._text(i, num, plain, text)
            elif fill:
                cells[i] = b"".join((op[i], num, b'"', plain, b"/>"))
        if note.next_due is not None:
            cells[2] = b"".join((op[2], num, b'"', date, self._v_open,
                                 self._serial(note.next_due), self._value_end))
        elif fill:
            cells[2] = b"".join((op[2], num, b'"', date, b"/>"))
        if note.overdue_days is not None:
            cells[3] = b"".join((op[3], num, b'"', plain, self._v_open,
                                 b"%d" % note.overdue_days, self._value_end))
        elif fill:
            cells[3] = b"".join((op[3], num, b'"', plain, b"/>"))
        return cells

    def _serial(self, day: object) -> bytes:
        serial = self._serials.get(day)
        if serial is None:
            if len(self._serials) > CACHE_LIMIT:
                self._serials.clear()
            value = excel_serial(day, self.date1904)  # type: ignore[arg-type]
            shown = repr(value) if isinstance(value, float) else str(value)
            serial = self._serials[day] = shown.encode()
        return serial

    def _escaped(self, text: str) -> bytes:
        escaped = self._texts.get(text)
        if escaped is None:
            if len(self._texts) > CACHE_LIMIT:
                self._texts.clear()
            escaped = self._texts[text] = xml_text(excel_text(text))
        return escaped

    def _style(self, fill: str | None, date: bool) -> bytes:
        key = (fill, date)
        found = self._styles_attr.get(key)
        if found is None:
            xf = self.styles.xf(0, fill=fill, date=date)
            found = self._styles_attr[key] = b' s="%d"' % xf if xf else b""
        return found

    def _text(self, index: int, num: bytes, style: bytes, text: str) -> bytes:
        return b"".join((self._open[index], num, b'"', style, self._text_mid,
                         self._escaped(text), self._text_end))

    def _header_style(self, body: bytes | None) -> int:
        """The user's own header format (of the last header cell), else a bold one."""
        if self._header_xf is None:
            base, previous = 0, -1
            for m in self._cell_start_re.finditer(body or b""):
                previous = self._column(m.group(1), previous)
                if previous == self.width - 1:
                    s = _S_ATTR.search(m.group(1))
                    base = int(s.group(1)) if s and s.group(1).isdigit() else 0
            if not 0 < base < self.styles.count:
                base = 0
            # The user's header format with a light fill of its own (bold where the
            # user's header has no format): the added headers stand apart.
            self._header_xf = self.styles.xf(base, fill="added", bold=not base)
        return self._header_xf

