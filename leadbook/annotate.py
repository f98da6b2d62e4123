"""The annotated copy of a workbook (domain.md §8 "annotated/").

The user's own workbook with five columns added right of the last used column
of each lead or activity sheet — 系统级别, 级别变化, 下次跟进, 逾期天数, 提示 —
rows coloured by state and a note on the 系统级别 cell saying why a grade
changed. Everything else stays as the user had it.

- .xlsx / .xlsm: the package is checked against the reader's zip bounds
  (read.safety) and patched (write.xlsx_package): untouched parts are copied
  byte for byte, the sheets are patched as a stream. Macros, charts, images,
  shapes, validations and extension features survive because leadbook never
  rewrites what it does not understand.
- .xls / .csv / .html: every sheet is read again as a grid (read.grid, and an
  .xls's layout by read.biff_layout) and handed to write.annotated_grid, which
  writes a new .xlsx with XlsxWriter, cells at their original places.

The copy is the one output made from an input file itself, so it is made here,
above read/ and write/: the writers never read an input. The input is only read
(domain.md §9); the output is written atomically.
"""

from __future__ import annotations

from pathlib import Path

from .model import SheetNotes, SourceFile

PACKAGE_FORMATS = ("xlsx", "xlsm")
GRID_FORMATS = ("xls", "csv", "html")


def write_annotated(source: SourceFile, notes: list[SheetNotes], target: Path) -> Path:
    """Write the annotated copy of ``source`` to ``target`` and return ``target``.

    ``notes`` holds one entry per lead or activity sheet (by sheet name). For
    an .xlsm source the caller passes an .xlsm target: the package keeps its
    macro-enabled content type and VBA project.
    """
    target = Path(target)
    from .vocab import ANNOTATION_HEADERS
    from .write.copy_checks import check_room

    for sheet in notes:
        check_room(source.name, sheet.name, sheet.width, len(ANNOTATION_HEADERS))
    if source.format in PACKAGE_FORMATS:
        from .read.safety import check_zip
        from .write.xlsx_package import patch_workbook

        # The reader's zip-bomb bounds (domain.md §9), before anything is inflated.
        check_zip(Path(source.path))
        return patch_workbook(Path(source.path), notes, target)
    if source.format in GRID_FORMATS:
        from .read.biff_layout import xls_layouts
        from .read.grid import load_grids
        from .write.annotated_grid import write_grid_copy

        grids, _ = load_grids(Path(source.path), source.format)
        layouts = xls_layouts(Path(source.path)) if source.format == "xls" else {}
        return write_grid_copy(grids, layouts, notes, target)
    raise ValueError(f"{source.name}: no annotated copy for the {source.format!r} format")
