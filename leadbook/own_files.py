"""Leadbook's own workbooks, told apart from the user's.

Every workbook leadbook writes (report.xlsx, the due/ lists, group.xlsx) carries
a custom document property, leadbook = output. An inbox holding one (last
week's report.xlsx, an output folder inside the inbox) has it skipped, never
read back as leads; a due/ list of a consultant who left is removed by the
next --split run, while a file of the user's in due/ is left alone.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

OUTPUT_MARK = ("leadbook", "output")
# As XlsxWriter writes the property in docProps/custom.xml.
_PROPERTY = re.compile(rb'name="leadbook"[^>]*>\s*<vt:lpwstr>output</vt:lpwstr>')
_MAX_PART = 64 << 10  # the property part of a workbook leadbook wrote is under 1 KiB


def own_output(path: Path) -> bool:
    """A workbook leadbook wrote."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("docProps/custom.xml")
            if info.file_size > _MAX_PART:
                return False
            return bool(_PROPERTY.search(z.read(info)))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError):
        return False
