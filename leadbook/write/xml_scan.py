"""Small helpers for patching OOXML parts as text, without building a tree.

Workbook parts are patched in place so that everything leadbook does not
change (prefixes, extension lists, attribute order) stays byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# One markup item: a comment, CDATA, processing instruction, or a tag whose
# attribute values may hold ">" (quotes are respected).
_ITEM = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"
    rb"|<(/?)([\w:.-]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>",
    re.S,
)
_ATTR = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def local(name: bytes) -> bytes:
    """The local part of a possibly prefixed XML name."""
    return name.rpartition(b":")[2]


def top_level(xml: bytes, depth: int = 0) -> Iterator[tuple[bytes, int, int]]:
    """(local name, start, end of start tag) of each element at ``depth`` 0.

    ``depth`` is the nesting level at the start of ``xml`` relative to the
    level of interest (0 when ``xml`` starts among the wanted siblings).
    """
    for m in _ITEM.finditer(xml):
        name = m.group(2)
        if name is None:
            continue
        if m.group(1):
            depth -= 1
            continue
        if depth == 0:
            yield local(name), m.start(), m.end()
        if not m.group(4):
            depth += 1


def attributes(tag: bytes) -> dict[bytes, str]:
    """Attributes of a start tag by (possibly prefixed) name, entities unresolved."""
    name = re.match(rb"<[\w:.-]*", tag)
    body = tag[name.end():] if name else tag
    return {
        m.group(1): (m.group(2) if m.group(2) is not None else m.group(3) or b"").decode("utf-8")
        for m in _ATTR.finditer(body)
    }


def namespace_prefix(tag: bytes, namespaces: tuple[bytes, ...]) -> bytes | None:
    """The prefix (with colon, b"" for the default namespace) a tag binds to a namespace."""
    for m in re.finditer(rb"""\sxmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']""", tag):
        if m.group(2) in namespaces:
            return (m.group(1) + b":") if m.group(1) else b""
    return None


def escaped(text: str) -> str:
    """&, < and > escaped, & first: what xml.sax.saxutils.escape does, without its
    import (saxutils loads urllib.request, http.client and email, a twentieth of a
    second of a run)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def xml_text(text: str) -> bytes:
    """Text escaped for element content."""
    return escaped(text).encode("utf-8")


def xml_attr(text: str) -> bytes:
    """Text escaped for a double-quoted attribute value."""
    return (escaped(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;").encode("utf-8"))


def set_attributes(tag: bytes, values: dict[str, str]) -> bytes:
    """An element's start tag with attributes set (replaced or added)."""
    end = tag.index(b">")
    head, rest = tag[:end], tag[end:]
    if head.endswith(b"/"):
        head, rest = head[:-1], b"/" + rest
    for name, value in values.items():
        pattern = re.compile(rb"\s" + name.encode() + rb"""\s*=\s*(?:"[^"]*"|'[^']*')""")
        pair = b" " + name.encode() + b'="' + value.encode() + b'"'
        head, found = pattern.subn(pair, head, count=1)
        if not found:
            head += pair
    return head + rest
