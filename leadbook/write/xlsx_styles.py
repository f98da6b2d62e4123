"""Add the annotated copy's cell formats to a workbook's styles.xml.

Existing formats keep their numbers: a coloured row's cell gets a copy of its
own format (same font, border, number format, alignment) with the row's fill,
appended at the end of cellXfs; the copies are cached, so a sheet of 100,000
rows needs only a handful. New fills, one bold font and the yyyy-mm-dd number
format are appended the same way. The file is patched as text — parsed with
defusedxml only to check it — so prefixes, extension lists and everything else
stay exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from defusedxml import ElementTree

from .annotation_cells import DATE_FORMAT, FILL_COLORS
from .xml_scan import set_attributes

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FIRST_CUSTOM_NUMFMT = 164  # ids below are Excel's built-in formats

# A styles part for a package that has none (the least Excel accepts).
MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="' + MAIN_NS + b'">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    b"</styleSheet>"
)

# CT_Stylesheet child order: a missing section is created before the first
# section that follows it here.
SECTION_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                 "cellStyles", "dxfs", "tableStyles", "colors", "extLst")
CHILD = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border",
         "cellStyleXfs": "xf", "cellXfs": "xf", "cellStyles": "cellStyle"}
SECTION_DEFAULTS = {
    "numFmts": b"",
    "fonts": b"<{p}font><{p}sz val=\"11\"/><{p}name val=\"Calibri\"/></{p}font>",
    "fills": b"<{p}fill><{p}patternFill patternType=\"none\"/></{p}fill>"
             b"<{p}fill><{p}patternFill patternType=\"gray125\"/></{p}fill>",
    "borders": b"<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom/><{p}diagonal/></{p}border>",
    "cellStyleXfs": b"<{p}xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/>",
    "cellXfs": b"<{p}xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/>",
    "cellStyles": b"<{p}cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>",
}
# Sections a patched part always has: every cell format points into fonts,
# fills and borders, and to a cell style (a sparse <styleSheet/> lacks them all,
# and Excel offers to repair a part without them).
REQUIRED_SECTIONS = ("fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles")


def _element_re(name: str) -> re.Pattern[bytes]:
    """One element (self-closing or not, any prefix) with the given local name."""
    n = name.encode()
    return re.compile(rb"<(?:\w+:)?" + n + rb"\b[^>]*?(?:/>|>.*?</(?:\w+:)?" + n + rb">)", re.S)


_XF = _element_re("xf")
_FONT = _element_re("font")
_COUNT = re.compile(rb'\scount="\d*"')


@dataclass
class _Section:
    start: int  # the start tag begins here
    open_end: int  # ... and ends here
    close_start: int  # the end tag begins here (== open_end for a self-closing element)
    end: int
    children: list[bytes]


class StyleBook:
    """The cell formats of one workbook and the ones the annotated copy adds."""

    def __init__(self, xml: bytes | None) -> None:
        self.created = xml is None
        self._xml = MINIMAL_STYLES if xml is None else xml
        ElementTree.fromstring(self._xml)  # refuses entities and malformed parts
        root = re.search(rb"<(\w+:)?styleSheet\b[^>]*>", self._xml)
        if root is None:
            raise ValueError("styles.xml has no styleSheet element")
        if root.group(0).endswith(b"/>"):  # a bare <styleSheet/>: open it to hold sections
            tag = root.group(0)[:-2].rstrip() + b">"
            close = b"</" + (root.group(1) or b"") + b"styleSheet>"
            self._xml = self._xml[:root.start()] + tag + close + self._xml[root.end():]
            root = re.search(rb"<(\w+:)?styleSheet\b[^>]*>", self._xml)
            assert root is not None
        self._root_end = root.end()
        self._p = root.group(1) or b""
        self._sections = {name: self._find(name) for name in SECTION_ORDER}
        xfs = self._sections["cellXfs"]
        self._xfs = xfs.children if xfs else [SECTION_DEFAULTS["cellXfs"].replace(b"{p}", self._p)]
        self._new_xfs: list[bytes] = []
        self._fill_ids: dict[str, int] = {}
        self._new_fills: list[str] = []
        self._bold_font: int | None = None
        self._date_fmt: int | None = None
        self._new_date_fmt = False
        self._cache: dict[tuple[int, str | None, bool, bool], int] = {}

    def _find(self, name: str) -> _Section | None:
        m = re.search(rb"<(?:\w+:)?" + name.encode() + rb"\b[^>]*?(/?)>", self._xml)
        if m is None:
            return None
        if m.group(1):
            return _Section(m.start(), m.end(), m.end(), m.end(), [])
        close = re.compile(rb"</(?:\w+:)?" + name.encode() + rb">").search(self._xml, m.end())
        if close is None:
            raise ValueError(f"styles.xml: <{name}> is not closed")
        inner = self._xml[m.end():close.start()]
        pattern = {"cellXfs": _XF, "fonts": _FONT}.get(name)
        children = pattern.findall(inner) if pattern else []
        return _Section(m.start(), m.end(), close.start(), close.end(), children)

    def _count(self, name: str) -> int:
        section = self._sections[name]
        if section is None:
            default = SECTION_DEFAULTS[name].replace(b"{p}", b"")
            return len(_element_re(CHILD[name]).findall(default))
        inner = self._xml[section.open_end:section.close_start]
        return len(_element_re(CHILD[name]).findall(inner))

    @property
    def count(self) -> int:
        """How many cell formats the workbook had (valid ``s`` values are below)."""
        return len(self._xfs)

    # -- what the sheets ask for -------------------------------------------------

    def xf(self, base: int, *, fill: str | None = None, date: bool = False,
           bold: bool = False) -> int:
        """The format ``base`` with a row fill, the date format or a bold font added."""
        if not 0 <= base < len(self._xfs):
            base = 0
        if fill is None and not date and not bold:
            return base
        key = (base, fill, date, bold)
        found = self._cache.get(key)
        if found is not None:
            return found
        values: dict[str, str] = {}
        if fill is not None:
            values.update(fillId=str(self._fill(fill)), applyFill="1")
        if date:
            values.update(numFmtId=str(self._date_format()), applyNumberFormat="1")
        if bold:
            values.update(fontId=str(self._bold()), applyFont="1")
        self._new_xfs.append(set_attributes(self._xfs[base], values))
        index = len(self._xfs) + len(self._new_xfs) - 1
        self._cache[key] = index
        return index

    def _fill(self, name: str) -> int:
        if name not in self._fill_ids:
            self._fill_ids[name] = self._count("fills") + len(self._new_fills)
            self._new_fills.append(name)
        return self._fill_ids[name]

    def _date_format(self) -> int:
        if self._date_fmt is None:
            tree = ElementTree.fromstring(self._xml)
            ids = [FIRST_CUSTOM_NUMFMT - 1]
            for el in tree.iter():
                if el.tag.endswith("}numFmt") or el.tag == "numFmt":
                    num = int(el.get("numFmtId", "0"))
                    ids.append(num)
                    if el.get("formatCode", "").lower() == DATE_FORMAT and self._date_fmt is None:
                        self._date_fmt = num
            if self._date_fmt is None:
                self._date_fmt = max(ids) + 1
                self._new_date_fmt = True
        return self._date_fmt

    def _bold(self) -> int:
        if self._bold_font is None:
            self._bold_font = self._count("fonts")
        return self._bold_font

    # -- the patched part ----------------------------------------------------------

    def changed(self) -> bool:
        return self.created or bool(self._new_xfs)

    def patched(self) -> bytes:
        """styles.xml with the new formats appended (unchanged when none were asked for)."""
        if not self._new_xfs:
            return self._xml
        p = self._p
        additions: dict[str, list[bytes]] = {name: [] for name in SECTION_ORDER}
        if self._new_date_fmt and self._date_fmt is not None:
            additions["numFmts"].append(
                b"<%snumFmt numFmtId=\"%d\" formatCode=\"%s\"/>"
                % (p, self._date_fmt, DATE_FORMAT.encode()))
        if self._bold_font is not None:
            fonts = self._sections["fonts"]
            first = fonts.children[0] if fonts and fonts.children else \
                SECTION_DEFAULTS["fonts"].replace(b"{p}", p)
            additions["fonts"].append(_with_bold(first, p))
        for name in self._new_fills:
            additions["fills"].append(
                b'<%sfill><%spatternFill patternType="solid"><%sfgColor rgb="FF%s"/>'
                b'<%sbgColor indexed="64"/></%spatternFill></%sfill>'
                % (p, p, p, FILL_COLORS[name].encode(), p, p, p))
        additions["cellXfs"].extend(self._new_xfs)
        edits: list[tuple[int, int, bytes]] = []
        created: dict[int, list[bytes]] = {}  # insertion point → new sections, in schema order
        for name in SECTION_ORDER:
            section = self._sections[name]
            if not additions[name] and (section is not None or name not in REQUIRED_SECTIONS):
                continue
            total = self._count(name) + len(additions[name])
            if section is None:
                default = SECTION_DEFAULTS[name].replace(b"{p}", p)
                element = b'<%s%s count="%d">%s%s</%s%s>' % (
                    p, name.encode(), total, default, b"".join(additions[name]), p, name.encode())
                created.setdefault(self._insertion_point(name), []).append(element)
                continue
            tag = self._xml[section.start:section.open_end]
            if _COUNT.search(tag):
                tag = _COUNT.sub(b' count="%d"' % total, tag, count=1)
            body = b"".join(additions[name])
            if section.open_end == section.close_start and tag.endswith(b"/>"):
                element = tag[:-2] + b">" + body + b"</%s%s>" % (p, name.encode())
                edits.append((section.start, section.end, element))
            else:
                edits.append((section.start, section.open_end, tag))
                edits.append((section.close_start, section.close_start, body))
        for at, elements in created.items():
            edits.append((at, at, b"".join(elements)))
        out = self._xml
        for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            out = out[:start] + text + out[end:]
        return out

    def _insertion_point(self, name: str) -> int:
        later = SECTION_ORDER[SECTION_ORDER.index(name) + 1:]
        for other in later:
            section = self._sections[other]
            if section is not None:
                return section.start
        return self._xml.rindex(b"</")


def _with_bold(font: bytes, prefix: bytes) -> bytes:
    """A copy of a <font> element that is bold."""
    if re.search(rb"<(?:\w+:)?b(?:\s[^>]*)?/>", font):
        font = re.sub(rb'(<(?:\w+:)?b)\s+val="(?:0|false)"', rb"\1", font)
        return font
    if font.endswith(b"/>"):
        return font[:-2] + b"><%sb/></%sfont>" % (prefix, prefix)
    start_end = font.index(b">") + 1
    return font[:start_end] + b"<%sb/>" % prefix + font[start_end:]
