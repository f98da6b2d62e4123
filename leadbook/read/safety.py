"""Refuse zip bombs before anything is inflated (domain.md §9).

Only the zip directory is read: every member's declared sizes. A real
100,000-row lead workbook inflates to about 60 MB at a ratio near 10:1, so
the bounds below leave room for any real workbook while refusing a bomb at
once.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..model import FileError

MAX_TOTAL = 1 << 30  # 1 GiB inflated in all
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # inflated : compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1 << 20


def _size(n: int) -> str:
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.1f} MB"


def check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileError(path, f"not a readable workbook: the file is damaged or incomplete ({exc})") from exc
    if len(infos) > MAX_MEMBERS:
        raise FileError(path, f"refused: {len(infos):,} parts, which is not a real workbook")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL:
        packed = sum(i.compress_size for i in infos) or 1
        raise FileError(
            path,
            f"refused: its parts would inflate to {_size(total)} (ratio {total // packed}:1), "
            "which is not a real workbook",
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise FileError(
                    path,
                    f"refused: part {info.filename} would inflate to {_size(info.file_size)} "
                    f"(ratio {ratio:.0f}:1), which is not a real workbook",
                )
