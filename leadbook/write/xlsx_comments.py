"""Cell comments (notes) of the annotated copy: the comments part and its VML.

Excel keeps a sheet's notes in two parts: ``xl/commentsN.xml`` (the text) and
a legacy VML drawing (the yellow boxes). A sheet that already has notes keeps
them: the new ones are appended to its parts. VML is not always well-formed
XML (Excel writes ``<br>``), so it is only ever patched as text. Shape ids of
VML drawings come in blocks of 1024 declared by ``<o:idmap data>``; the new
shapes take blocks no other drawing of the workbook uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from defusedxml import ElementTree

from ..excel import column_letter
from .annotation_cells import COMMENT_AUTHOR, excel_text
from .xml_scan import xml_text

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHAPES_PER_BLOCK = 1024
VML_NAMESPACES = {
    b"v": b"urn:schemas-microsoft-com:vml",
    b"o": b"urn:schemas-microsoft-com:office:office",
    b"x": b"urn:schemas-microsoft-com:office:excel",
}
SHAPETYPE = (
    b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"'
    b' path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    b'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


@dataclass(frozen=True)
class Note:
    """One cell comment: 0-based row and column, and its text."""

    row: int
    col: int
    text: str

    @property
    def ref(self) -> str:
        return f"{column_letter(self.col)}{self.row + 1}"


def _comment(note: Note, author_id: int, prefix: bytes) -> bytes:
    p = prefix
    return (b'<%scomment ref="%s" authorId="%d"><%stext><%st xml:space="preserve">%s</%st>'
            b"</%stext></%scomment>" % (p, note.ref.encode(), author_id, p, p,
                                         xml_text(excel_text(note.text)), p, p, p))


def new_comments(notes: list[Note]) -> bytes:
    body = b"".join(_comment(n, 0, b"") for n in notes)
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<comments xmlns="%s"><authors><author>%s</author></authors>'
            b"<commentList>%s</commentList></comments>"
            % (MAIN_NS.encode(), xml_text(COMMENT_AUTHOR), body))


def merge_comments(existing: bytes, notes: list[Note]) -> tuple[bytes, list[Note]]:
    """The sheet's comments part with the new notes appended; and the notes added.

    A cell that already has a comment keeps it (a cell holds one comment).
    """
    tree = ElementTree.fromstring(existing)
    authors = [el.text or "" for el in tree.iter() if el.tag.rsplit("}", 1)[-1] == "author"]
    taken = {el.get("ref") for el in tree.iter() if el.tag.rsplit("}", 1)[-1] == "comment"}
    notes = [n for n in notes if n.ref not in taken]
    root = re.search(rb"<(\w+:)?comments\b", existing)
    p = (root.group(1) or b"") if root else b""
    out = existing
    if COMMENT_AUTHOR in authors:
        author_id = authors.index(COMMENT_AUTHOR)
    else:
        author_id = len(authors)
        author = b"<%sauthor>%s</%sauthor>" % (p, xml_text(COMMENT_AUTHOR), p)
        out = _append(out, b"authors", author, p, after=b"<%scomments" % p)
    body = b"".join(_comment(n, author_id, p) for n in notes)
    out = _append(out, b"commentList", body, p, after=b"</%sauthors>" % p)
    return out, notes


def _append(xml: bytes, name: bytes, content: bytes, p: bytes, after: bytes) -> bytes:
    """Append content at the end of element ``name``, creating it if needed."""
    close = xml.find(b"</%s%s>" % (p, name))
    if close >= 0:
        return xml[:close] + content + xml[close:]
    empty = re.search(rb"<%s%s\b[^>]*?/>" % (re.escape(p), name), xml)
    if empty is not None:
        tag = empty.group(0)[:-2] + b">"
        return xml[:empty.start()] + tag + content + b"</%s%s>" % (p, name) + xml[empty.end():]
    at = xml.find(after)
    at = xml.find(b">", at) + 1 if at >= 0 else xml.rindex(b"</")
    return xml[:at] + b"<%s%s>%s</%s%s>" % (p, name, content, p, name) + xml[at:]


# -- VML ------------------------------------------------------------------------------

def blocks_in_use(vml: bytes) -> set[int]:
    """The shape-id blocks a VML drawing declares or uses."""
    used: set[int] = set()
    for data in re.findall(rb"""<\w*:?idmap\b[^>]*?\sdata\s*=\s*["']([^"']*)["']""", vml):
        used.update(int(x) for x in re.findall(rb"\d+", data))
    used.update(int(x) // SHAPES_PER_BLOCK for x in re.findall(rb"_x0000_s(\d+)", vml))
    return used


def _shape(note: Note, shape_id: int, z_index: int) -> bytes:
    top = max(note.row - 1, 0)
    anchor = b"%d, 15, %d, 10, %d, 15, %d, 4" % (note.col + 1, top, note.col + 3, top + 4)
    return (
        b'<v:shape id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;'
        b"margin-left:%.2fpt;margin-top:%.2fpt;width:108pt;height:59.25pt;z-index:%d;"
        b'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
        b'<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        b'<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
        b'<div style="text-align:left"></div></v:textbox>'
        b'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        b"<x:Anchor>%s</x:Anchor><x:AutoFill>False</x:AutoFill>"
        b"<x:Row>%d</x:Row><x:Column>%d</x:Column></x:ClientData></v:shape>"
        % (shape_id, (note.col + 1) * 48.0 + 11.25, top * 15.0 + 1.5, z_index, anchor,
           note.row, note.col)
    )


def _blocks(first: int, count: int) -> list[int]:
    return list(range(first, first + max(1, -(-count // SHAPES_PER_BLOCK))))


def new_vml(notes: list[Note], first_block: int) -> tuple[bytes, int]:
    """A legacy drawing holding the notes' boxes; and the next free block."""
    blocks = _blocks(first_block, len(notes) + 1)
    start = first_block * SHAPES_PER_BLOCK + 1
    shapes = b"".join(_shape(n, start + i, i + 1) for i, n in enumerate(notes))
    data = b",".join(b"%d" % b for b in blocks)
    xml = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" '
           b'xmlns:o="urn:schemas-microsoft-com:office:office" '
           b'xmlns:x="urn:schemas-microsoft-com:office:excel">'
           b'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%s"/></o:shapelayout>'
           b"%s%s</xml>" % (data, SHAPETYPE, shapes))
    return xml, blocks[-1] + 1


def merge_vml(existing: bytes, notes: list[Note], first_block: int) -> tuple[bytes, int]:
    """The sheet's legacy drawing with the notes' boxes appended; and the next free block."""
    blocks = _blocks(first_block, len(notes) + 1)
    start = first_block * SHAPES_PER_BLOCK + 1
    z_base = len(re.findall(rb"<v:shape\b", existing))
    shapes = b"".join(_shape(n, start + i, z_base + i + 1) for i, n in enumerate(notes))
    if b'"_x0000_t202"' not in existing and b"'_x0000_t202'" not in existing:
        shapes = SHAPETYPE + shapes
    out = existing
    data = b",".join(b"%d" % b for b in blocks)
    idmap = re.search(rb"""(<o:idmap\b[^>]*?\sdata\s*=\s*["'])([^"']*)(["'])""", out)
    if idmap is not None:
        joined = idmap.group(2) + b"," + data if idmap.group(2).strip() else data
        out = out[:idmap.start(2)] + joined + out[idmap.end(2):]
        close = out.rindex(b"</xml>") if b"</xml>" in out else len(out)
        out = out[:close] + shapes + out[close:]
    else:
        layout = b'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%s"/></o:shapelayout>'
        root = re.search(rb"<xml\b[^>]*>", out)
        at = root.end() if root else 0
        close = out.rindex(b"</xml>") if b"</xml>" in out else len(out)
        out = out[:at] + layout % data + out[at:close] + shapes + out[close:]
    root = re.search(rb"<xml\b[^>]*>", out)
    if root is not None:
        declared = root.group(0)
        missing = b"".join(b' xmlns:%s="%s"' % (k, v) for k, v in VML_NAMESPACES.items()
                           if b"xmlns:%s=" % k not in declared)
        if missing:
            out = out[:root.end() - 1] + missing + out[root.end() - 1:]
    return out, blocks[-1] + 1
