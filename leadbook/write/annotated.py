"""The annotated copy of a workbook (domain.md §8 "annotated/").

The user's own workbook with five columns added right of the last used column
of each lead or activity sheet — 系统级别, 级别变化, 下次跟进, 逾期天数, 提示 —
rows coloured by state and a note on the 系统级别 cell saying why a grade
changed. Everything else stays as the user had it.

- .xlsx / .xlsm: the package is patched (xlsx_package): untouched parts are
  copied byte for byte, the sheets are patched as a stream. Macros, charts,
  images, shapes, validations and extension features survive because leadbook
  never rewrites what it does not understand.
- .xls / .csv / .html: every sheet is read again as a grid and written as a
  new .xlsx with XlsxWriter (annotated_grid), cells at their original places.

The input is only read (domain.md §9); the output is written atomically.
"""

from __future__ import annotations

from pathlib import Path

from ..model import SheetNotes, SourceFile

PACKAGE_FORMATS = ("xlsx", "xlsm")
GRID_FORMATS = ("xls", "csv", "html")


def write_annotated(source: SourceFile, notes: list[SheetNotes], target: Path) -> Path:
    """Write the annotated copy of ``source`` to ``target`` and return ``target``.

    ``notes`` holds one entry per lead or activity sheet (by sheet name). For
    an .xlsm source the caller passes an .xlsm target: the package keeps its
    macro-enabled content type and VBA project.
    """
    target = Path(target)
    from ..vocab import ANNOTATION_HEADERS
    from .copy_checks import check_room

    for sheet in notes:
        check_room(source.name, sheet.name, sheet.width, len(ANNOTATION_HEADERS))
    if source.format in PACKAGE_FORMATS:
        from .xlsx_package import patch_workbook

        return patch_workbook(Path(source.path), notes, target)
    if source.format in GRID_FORMATS:
        from .annotated_grid import write_grid_copy

        return write_grid_copy(source, notes, target)
    raise ValueError(f"{source.name}: no annotated copy for the {source.format!r} format")
