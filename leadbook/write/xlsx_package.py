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
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from defusedxml import ElementTree

from ..model import SheetNotes
from .atomic import atomic_path
from .xlsx_comments import Note, blocks_in_use, merge_comments, merge_vml, new_comments, new_vml
from .xlsx_sheet import SheetPatcher
from .xlsx_styles import StyleBook
from .xlsx_zip import Deflated, PackageWriter, deflate
from .xml_scan import xml_attr

READ_CHUNK = 1 << 20
# No workbook part leadbook reads is near this when inflated; a bigger one is a
# zip bomb or damage (domain.md §9).
MAX_PART_BYTES = 1 << 30

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


@dataclass
class Package:
    """What changes in the package: replaced members and new ones, by name."""

    replaced: dict[str, Deflated | bytes] = field(default_factory=dict)
    added: dict[str, bytes] = field(default_factory=dict)

    def put(self, name: str, data: Deflated | bytes, existing: set[str]) -> None:
        (self.replaced if name in existing else self.added)[name] = data


def _free_name(pattern: str, taken: set[str]) -> str:
    n = 1
    while pattern.format(n).lower() in taken:
        n += 1
    name = pattern.format(n)
    taken.add(name.lower())
    return name


def _relative(from_part: str, to_part: str) -> str:
    return posixpath.relpath(to_part, posixpath.dirname(from_part))


def patch_workbook(source: Path, notes: list[SheetNotes], target: Path) -> Path:
    with zipfile.ZipFile(source) as zin, open(source, "rb") as raw:
        infos = zin.infolist()
        names = {i.filename for i in infos}
        lower_names = {n.lower() for n in names}
        for info in infos:
            if info.file_size > MAX_PART_BYTES:
                raise ValueError(f"{info.filename}: part inflates to {info.file_size:,} bytes, "
                                 "refused as a possible zip bomb")

        def read(name: str) -> bytes | None:
            return zin.read(name) if name in names else None

        root_rels = parse_rels(read("_rels/.rels"), "")
        workbook = next((r.target for r in root_rels if r.type in REL_TYPES["office"]), None)
        if workbook is None or workbook not in names:
            raise ValueError("the package has no workbook part")
        wb_rels = parse_rels(read(rels_path(workbook)), workbook)
        wb_tree = ElementTree.fromstring(zin.read(workbook))
        sheets: dict[str, str] = {}
        date1904 = False
        by_id = {r.id: r.target for r in wb_rels}
        for el in wb_tree.iter():
            tag = _local(el.tag)
            if tag == "workbookPr":
                date1904 = el.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                if rid in by_id:
                    sheets[el.get("name", "")] = by_id[rid]
        styles_part = next((r.target for r in wb_rels if r.type in REL_TYPES["styles"]), None)
        styles = StyleBook(read(styles_part) if styles_part in names else None)
        types = ContentTypes(zin.read("[Content_Types].xml"))
        package = Package()
        used_blocks: set[int] = set()
        for name in names:
            if name.lower().endswith(".vml"):
                used_blocks |= blocks_in_use(zin.read(name))
        next_block = max(used_blocks, default=0) + 1

        for sheet_notes in notes:
            part = sheets.get(sheet_notes.name)
            if part is None or part not in names:
                raise ValueError(f"sheet {sheet_notes.name!r} is not in the workbook")
            rels_name = rels_path(part)
            rels_xml = read(rels_name)
            rels = parse_rels(rels_xml, part)
            comments = [Note(row - 1, sheet_notes.width, note.comment)
                        for row, note in sorted(sheet_notes.rows.items()) if note.comment]
            vml_rid = free_rid(rels) if comments else None
            patcher = SheetPatcher(sheet_notes, styles, date1904=date1904, legacy_rid=vml_rid)
            with zin.open(part) as stream:
                chunks = iter(lambda: stream.read(READ_CHUNK), b"")
                package.replaced[part] = deflate(patcher.run(chunks))
            if not comments:
                continue
            new_rels: list[tuple[str, str, str]] = []
            existing = next((r.target for r in rels if r.type in REL_TYPES["comments"]), None)
            if existing in names:
                xml, _ = merge_comments(zin.read(existing), comments)
                package.put(existing, xml, names)
            else:
                existing = _free_name("xl/comments{}.xml", lower_names)
                package.put(existing, new_comments(comments), names)
                comment_rid = free_rid(rels, {vml_rid or ""})
                new_rels.append((comment_rid, REL_TYPES["comments"][0], _relative(part, existing)))
                types.override(existing, CT_COMMENTS)
            vml = None
            if patcher.legacy_rid and not patcher.legacy_added:
                vml = next((r.target for r in rels if r.id == patcher.legacy_rid), None)
            if vml in names:
                xml, next_block = merge_vml(zin.read(vml), comments, next_block)
                package.put(vml, xml, names)
            elif patcher.legacy_added and vml_rid is not None:
                vml = _free_name("xl/drawings/vmlDrawing{}.vml", lower_names)
                xml, next_block = new_vml(comments, next_block)
                package.put(vml, xml, names)
                new_rels.append((vml_rid, REL_TYPES["vml"][0], _relative(part, vml)))
                types.default("vml", CT_VML)
            if new_rels:
                package.put(rels_name, add_rels(rels_xml, new_rels), names)
                if "rels" not in types.defaults:
                    types.override(rels_name, CT_RELS)

        if styles.changed():
            if styles.created:
                styles_part = "xl/styles.xml" if "xl/styles.xml" not in names else \
                    _free_name("xl/styles{}.xml", lower_names)
                wb_rels_name = rels_path(workbook)
                wb_rid = free_rid(wb_rels)
                package.put(wb_rels_name, add_rels(read(wb_rels_name), [
                    (wb_rid, REL_TYPES["styles"][0], _relative(workbook, styles_part))]), names)
                types.override(styles_part, CT_STYLES)
            assert styles_part is not None
            package.put(styles_part, styles.patched(), names)
        if types.changed:
            package.replaced["[Content_Types].xml"] = types.xml

        with atomic_path(target) as tmp, open(tmp, "wb") as out:
            writer = PackageWriter(out)
            for info in infos:
                data = package.replaced.get(info.filename)
                if data is None:
                    writer.copy(raw, info)
                else:
                    writer.write(info.filename, data, like=info)
            for name, data in package.added.items():
                writer.write(name, data)
            writer.close()
    return target
