"""Where a run may write: never onto, or through a link to, a file it reads.

``--out INBOX`` with an input named report.xlsx, an inbox that is an earlier
run's annotated/ folder with ``--out`` its parent, or a folder linked into the
inbox would let an output replace a user's workbook (domain.md §9: inputs are
never modified). Such a layout is refused before anything is written (exit 2).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

from .texts import Phrase, Value, Words, render
from .write.atomic import OUTPUT_FOLDERS


class LayoutWhy(Phrase):
    """Why a run writes nothing (``NAME = code, zh, en``)."""

    OVER_INPUTS = (
        "outputs_over_inputs",
        "--out {out} 是 leadbook 写入输出的地方, 其中却有本次要读取的文件 ({names}{more}): "
        "输出可能覆盖其中之一。请选择收件箱以外的输出文件夹 (默认是 INBOX/leadbook-out); "
        "没有写入任何文件。",
        "--out {out} is where leadbook writes its outputs, and it holds files this run reads "
        "({names}{more}): an output could replace one of them. Choose an output folder outside "
        "the inbox (the default is INBOX/leadbook-out); nothing was written.")
    CANNOT_MAKE = (
        "output_folder_not_made",
        "{out}: 无法建立输出文件夹 ({why}); 请用 --out 指定一个可以写入的文件夹",
        "{out}: the output folder cannot be made ({why}); give --out a folder that can be "
        "written to")
    # Why a folder cannot be made
    NOT_A_FOLDER = (
        "path_not_a_folder", "路径中有一段是文件, 不是文件夹",
        "a part of the path is a file, not a folder")
    NOT_ALLOWED = "folder_not_allowed", "没有写入权限", "no permission to write there"
    READ_ONLY = "disk_read_only", "磁盘是只读的", "the disk is read-only"
    DISK_FULL = "disk_full", "磁盘已满", "the disk is full"
    EXISTS = "file_exists", "已有同名文件", "a file of that name is there"


# Why a folder cannot be made, by the system's error number (the system's text otherwise).
OS_WORDS = {errno.ENOTDIR: LayoutWhy.NOT_A_FOLDER, errno.EACCES: LayoutWhy.NOT_ALLOWED,
            errno.EROFS: LayoutWhy.READ_ONLY, errno.ENOSPC: LayoutWhy.DISK_FULL,
            errno.EEXIST: LayoutWhy.EXISTS}


class LayoutError(Exception):
    """The output folder would hold, or link to, files the run reads, or cannot be made;
    ``why`` says so in words (:meth:`message`)."""

    def __init__(self, why: Words) -> None:
        super().__init__(why)
        self.why = why

    def message(self, lang: str) -> str:
        return render(self.why, lang)

    def __str__(self) -> str:
        return self.message("zh")


def folder_error(out: Path, exc: OSError) -> LayoutError:
    """The output folder ``out`` cannot be made: why, in words."""
    why: Value = OS_WORDS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    return LayoutError(LayoutWhy.CANNOT_MAKE(out=str(out), why=why))


def _real(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


# The files a run writes directly into OUT (its subfolders are OUTPUT_FOLDERS).
OUTPUT_NAMES = frozenset({"report.xlsx", "summary.json", "summary.html"})


def check_layout(out: Path, inputs: Sequence[Path]) -> None:
    """Raise LayoutError when an output could replace an input: an input (or where
    its link leads) in OUT/annotated or OUT/due, whose files are named after the
    inputs and the consultants, or directly in OUT under an output's name.

    OUT may be the inbox itself or lie inside it: the inputs stay apart from the
    outputs, and leadbook's own workbooks left there are skipped when read
    (leadbook.own_files)."""
    root = _real(out)
    folders = {_real(out / sub) for sub in OUTPUT_FOLDERS if sub}
    clashes = [p for p in inputs
               if os.path.dirname(_real(p)) in folders
               or (os.path.dirname(_real(p)) == root
                   and os.path.basename(_real(p)).lower() in OUTPUT_NAMES)]
    if not clashes:
        return
    names = tuple(p.name for p in clashes[:5])
    raise LayoutError(LayoutWhy.OVER_INPUTS(out=str(out), names=names,
                                            more=" …" if len(clashes) > 5 else ""))
