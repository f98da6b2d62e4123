"""Annotate an .xlsx/.xlsm by patching its package, part by part.

Only these parts change: the annotated sheets, styles.xml, the sheets'
relationships, [Content_Types].xml, and the sheets' comments and legacy
drawings (new ones, or the existing ones with the notes appended). Every other
member is copied with its compressed bytes, in the original order; new parts
go at the end. Small parts are parsed with defusedxml (no entities) to read
them and patched as text to keep them as they were.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

from defusedxml import ElementTree

from ..excel import column_index, column_letter
from ..model import SheetNotes
from ..vocab import ANNOTATION_HEADERS
from .annotation_cells import legend
from .atomic import atomic_path
from .copy_checks import ELSEWHERE_BYTES, Parsed, check_well_formed, inflated
from .xlsx_comments import Note, blocks_in_use, merge_comments, merge_vml, new_comments, new_vml
from .xlsx_sheet import SheetPatcher
from .xlsx_styles import StyleBook
from .xlsx_zip import BIG_PART_BYTES, Deflated, PackageWriter, deflate
from .xml_scan import xml_attr

READ_CHUNK = 1 << 20

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TYPES = {
    "office": (REL + "/officeDocument", "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"),
    "styles": (REL + "/styles", "http://purl.oclc.org/ooxml/officeDocument/relationships/styles"),
    "comments": (REL + "/comments", "http://purl.oclc.org/ooxml/officeDocument/relationships/comments"),
    "vml": (REL + "/vmlDrawing", "http://purl.oclc.org/ooxml/officeDocument/relationships/vmlDrawing"),
}
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
EMPTY_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              b"</Relationships>")


@dataclass
class Rel:
    id: str
    type: str
    target: str  # resolved part name, no leading slash ("" when external)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def parse_rels(xml: bytes | None, part: str) -> list[Rel]:
    if not xml:
        return []
    folder = posixpath.dirname(part)
    out = []
    for el in ElementTree.fromstring(xml):
        if _local(el.tag) != "Relationship":
            continue
        target = unquote(el.get("Target", ""))
        if el.get("TargetMode") == "External":
            resolved = ""
        elif target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        out.append(Rel(el.get("Id", ""), el.get("Type", ""), resolved))
    return out


def free_rid(rels: list[Rel], taken: set[str] | None = None) -> str:
    used = {r.id for r in rels} | (taken or set())
    n = 1 + max((int(m.group(1)) for r in rels if (m := re.fullmatch(r"rId(\d+)", r.id))),
                default=0)
    while f"rId{n}" in used:
        n += 1
    return f"rId{n}"


def add_rels(xml: bytes | None, items: list[tuple[str, str, str]]) -> bytes:
    """Relationships part with (id, type, relative target) entries appended."""
    xml = xml or EMPTY_RELS
    m = re.search(rb"</(\w+:)?Relationships>", xml)
    if m is None:
        raise ValueError("relationships part without </Relationships>")
    p = m.group(1) or b""
    new = b"".join(b'<%sRelationship Id="%s" Type="%s" Target="%s"/>'
                   % (p, xml_attr(i), xml_attr(t), xml_attr(target)) for i, t, target in items)
    return xml[:m.start()] + new + xml[m.start():]


class ContentTypes:
    """[Content_Types].xml, with Override and Default entries added as text."""

    def __init__(self, xml: bytes) -> None:
        self.xml = xml
        tree = ElementTree.fromstring(xml)
        self.defaults = {el.get("Extension", "").lower() for el in tree
                         if _local(el.tag) == "Default"}
        self.overrides = {el.get("PartName", "").lower() for el in tree
                          if _local(el.tag) == "Override"}
        self.changed = False

    def _insert(self, element: bytes) -> None:
        m = re.search(rb"</(\w+:)?Types>", self.xml)
        if m is None:
            raise ValueError("[Content_Types].xml without </Types>")
        p = m.group(1) or b""
        self.xml = self.xml[:m.start()] + element.replace(b"<", b"<" + p, 1) + self.xml[m.start():]
        self.changed = True

    def override(self, part: str, content_type: str) -> None:
        name = "/" + part
        if name.lower() not in self.overrides:
            self._insert(b'<Override PartName="%s" ContentType="%s"/>'
                         % (xml_attr(name), xml_attr(content_type)))
            self.overrides.add(name.lower())

    def default(self, extension: str, content_type: str) -> None:
        if extension.lower() not in self.defaults:
            self._insert(b'<Default Extension="%s" ContentType="%s"/>'
                         % (xml_attr(extension), xml_attr(content_type)))
            self.defaults.add(extension.lower())


def _free_name(pattern: str, taken: set[str]) -> str:
    n = 1
    while pattern.format(n).lower() in taken:
        n += 1
    name = pattern.format(n)
    taken.add(name.lower())
    return name


def _relative(from_part: str, to_part: str) -> str:
    return posixpath.relpath(to_part, posixpath.dirname(from_part))


class _Workbook:
    """One package being patched: what it holds, and the parts that change."""

    def __init__(self, zin: zipfile.ZipFile) -> None:
        self.zin = zin
        self.infos = zin.infolist()
        self.names = {i.filename for i in self.infos}
        self.taken = {n.lower() for n in self.names}
        self.changed: dict[str, Deflated | bytes] = {}  # replaced or new parts
        self.parsed: dict[str, Parsed] = {}  # patched parts parsed back as they were written
        root_rels = parse_rels(self.read("_rels/.rels"), "")
        workbook = next((r.target for r in root_rels if r.type in REL_TYPES["office"]), None)
        if workbook is None or workbook not in self.names:
            raise ValueError("the package has no workbook part")
        self.workbook = workbook
        self.wb_rels = parse_rels(self.read(rels_path(workbook)), workbook)
        self.sheets: dict[str, str] = {}
        self.sheet_index: dict[str, int] = {}  # name → localSheetId (its place in the book)
        self.print_to: dict[int, int] = {}  # localSheetId → last column (0-based) to print
        self.date1904 = False
        by_id = {r.id: r.target for r in self.wb_rels}
        for el in ElementTree.fromstring(zin.read(workbook)).iter():
            tag = _local(el.tag)
            if tag == "workbookPr":
                self.date1904 = el.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                self.sheet_index[el.get("name", "")] = len(self.sheet_index)
                if rid in by_id:
                    self.sheets[el.get("name", "")] = by_id[rid]
        self.styles_part = next(
            (r.target for r in self.wb_rels if r.type in REL_TYPES["styles"]), None)
        self.styles_related = self.styles_part is not None
        if self.styles_part is None and "xl/styles.xml" in self.names:
            # Not related, yet where openpyxl and calamine read the styles from: the
            # copy's formats extend it, and it is related (a new part beside it
            # would leave readers of the old one with indexes past its end).
            self.styles_part = "xl/styles.xml"
        self.styles = StyleBook(self.read(self.styles_part) if self.styles_part else None)
        self.types = ContentTypes(zin.read("[Content_Types].xml"))
        used: set[int] = set()
        for name in self.names:
            if name.lower().endswith(".vml"):
                used |= blocks_in_use(zin.read(name))
        self.next_block = max(used, default=0) + 1

    def read(self, name: str | None) -> bytes | None:
        return self.zin.read(name) if name in self.names else None

    def annotate(self, notes: SheetNotes) -> None:
        part = self.sheets.get(notes.name)
        if part is None or part not in self.names:
            raise ValueError(f"sheet {notes.name!r} is not in the workbook")
        rels_xml = self.read(rels_path(part))
        rels = parse_rels(rels_xml, part)
        comments = [Note(row - 1, notes.width, note.comment)
                    for row, note in sorted(notes.rows.items()) if note.comment]
        if notes.header_row > 0:  # the row colours' legend, on the 系统级别 header cell
            comments.insert(0, Note(notes.header_row - 1, notes.width, legend(notes)))
        self.print_to[self.sheet_index.get(notes.name, -1)] = notes.width + len(
            ANNOTATION_HEADERS) - 1
        vml_rid = free_rid(rels) if comments else None
        patcher = SheetPatcher(notes, self.styles, date1904=self.date1904, legacy_rid=vml_rid)
        with self.zin.open(part) as stream:
            chunks = iter(lambda: stream.read(READ_CHUNK), b"")
            size = self.zin.getinfo(part).file_size
            # parsed back as it is written (a large part by a child, on another
            # core): check() then need not inflate it again
            parsed = self.parsed[part] = Parsed(part, elsewhere=size >= ELSEWHERE_BYTES)
            self.changed[part] = deflate(parsed.through(patcher.run(chunks)),
                                         fast=size > BIG_PART_BYTES)
        if comments:
            self._comments(part, rels_xml, rels, comments, patcher, vml_rid)

    def _comments(self, part: str, rels_xml: bytes | None, rels: list[Rel], comments: list[Note],
                  patcher: SheetPatcher, vml_rid: str | None) -> None:
        """The notes' comments part and legacy drawing: the sheet's own, or new ones."""
        new_rels: list[tuple[str, str, str]] = []
        existing = next((r.target for r in rels if r.type in REL_TYPES["comments"]), None)
        if existing in self.names:
            assert existing is not None
            self.changed[existing], comments = merge_comments(self.zin.read(existing), comments)
        else:
            existing = _free_name("xl/comments{}.xml", self.taken)
            self.changed[existing] = new_comments(comments)
            rid = free_rid(rels, {vml_rid or ""})
            new_rels.append((rid, REL_TYPES["comments"][0], _relative(part, existing)))
            self.types.override(existing, CT_COMMENTS)
        vml = None
        if patcher.legacy_rid and not patcher.legacy_added:
            vml = next((r.target for r in rels if r.id == patcher.legacy_rid), None)
        if vml is not None and vml in self.names:
            self.changed[vml], self.next_block = merge_vml(
                self.zin.read(vml), comments, self.next_block)
        elif patcher.legacy_added and vml_rid is not None:
            vml = _free_name("xl/drawings/vmlDrawing{}.vml", self.taken)
            self.changed[vml], self.next_block = new_vml(comments, self.next_block)
            new_rels.append((vml_rid, REL_TYPES["vml"][0], _relative(part, vml)))
            self.types.default("vml", CT_VML)
        if new_rels:
            self.changed[rels_path(part)] = add_rels(rels_xml, new_rels)
            if "rels" not in self.types.defaults:
                self.types.override(rels_path(part), CT_RELS)

    def finish(self) -> None:
        """styles.xml and [Content_Types].xml, once every sheet is done."""
        if self.styles.changed():
            if not self.styles_related:  # the package had no related styles part: add one
                if self.styles_part is None:
                    self.styles_part = _free_name("xl/styles{}.xml", self.taken) \
                        if "xl/styles.xml" in self.taken else "xl/styles.xml"
                wb_rels = rels_path(self.workbook)
                rel = (free_rid(self.wb_rels), REL_TYPES["styles"][0],
                       _relative(self.workbook, self.styles_part))
                self.changed[wb_rels] = add_rels(self.read(wb_rels), [rel])
                self.types.override(self.styles_part, CT_STYLES)
            assert self.styles_part is not None
            self.changed[self.styles_part] = self.styles.patched()
        if self.types.changed:
            self.changed["[Content_Types].xml"] = self.types.xml
        workbook = self.read(self.workbook) or b""
        widened = _widen_print_areas(workbook, self.print_to)
        if widened != workbook:
            self.changed[self.workbook] = widened

    def check(self, file: str) -> None:
        """Every XML part of the copy parsed back, patched or copied (copy_checks);
        legacy drawings (VML) only where patched: readers do not parse them."""
        for name, data in self.changed.items():
            if not name.lower().endswith((".xml", ".rels", ".vml")):
                continue
            if name in self.parsed:
                self.parsed[name].verdict(file)
                if self.parsed[name].known:
                    continue
            chunks = inflated(data.parts) if isinstance(data, Deflated) else [data]
            check_well_formed(file, name, chunks)
        for info in self.infos:
            if info.filename in self.changed or not info.filename.lower().endswith(
                    (".xml", ".rels")):
                continue
            with self.zin.open(info) as stream:
                check_well_formed(file, info.filename, iter(lambda: stream.read(READ_CHUNK), b""),
                                  patched=False)

    def write(self, raw: BinaryIO, out: BinaryIO) -> None:
        """Every member in its original order (copied or replaced), then the new ones."""
        writer = PackageWriter(out)
        for info in self.infos:
            data = self.changed.get(info.filename)
            if data is None:
                writer.copy(raw, info)
            else:
                writer.write(info.filename, data, like=info)
        for name, data in self.changed.items():
            if name not in self.names:
                writer.write(name, data)
        writer.close()


_PRINT_AREA = re.compile(
    rb'(<definedName\b[^>]*\bname="_xlnm\.Print_Area"[^>]*\blocalSheetId="(\d+)"[^>]*>)'
    rb"([^<]*?)(\$?)([A-Z]{1,3})(\$?\d*)(</definedName>)")


def _widen_print_areas(workbook: bytes, print_to: dict[int, int]) -> bytes:
    """A sheet's print area, where the user set one, reaching the added columns."""
    def widen(m: re.Match[bytes]) -> bytes:
        last = print_to.get(int(m.group(2)))
        if last is None or column_index(m.group(5)) >= last:
            return m.group(0)
        return b"".join((m.group(1), m.group(3), m.group(4), column_letter(last).encode(),
                         m.group(6), m.group(7)))
    return _PRINT_AREA.sub(widen, workbook)


def patch_workbook(source: Path, notes: list[SheetNotes], target: Path) -> Path:
    """The patched copy of ``source``, whose zip the caller has held to the reader's
    bounds first (leadbook.annotate)."""
    with zipfile.ZipFile(source) as zin, open(source, "rb") as raw:
        book = _Workbook(zin)
        for sheet_notes in notes:
            book.annotate(sheet_notes)
        book.finish()
        book.check(source.name)
        with atomic_path(target) as tmp, open(tmp, "wb") as out:
            book.write(raw, out)
    return target
