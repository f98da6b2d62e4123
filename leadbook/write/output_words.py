"""Why an output could not be written, in Chinese and English.

The writers raise :class:`leadbook.model.OutputError` with one of these; the run
gathers them as the outputs' errors and the terminal (and a dealer group's
roll-up) says them in the run's language. Each names the output or the input
it was made from and says what to do; the system's and the libraries' own text
goes to the ``-v`` log only.
"""

from __future__ import annotations

import errno

from ..texts import Phrase, Value


class OutputWhy(Phrase):
    """Why an output is missing (``NAME = code, zh, en``)."""

    # A worker process (leadbook.outputs)
    WORKER_STOPPED = (
        "worker_stopped", "{name}: 未能写出 (写出它的进程中途退出, 退出码 {code})",
        "{name}: could not be written (the worker stopped, exit {code})")
    WORKER_FAILED = (
        "worker_failed", "{name}: 未能写出 (写出它的进程出错退出)",
        "{name}: could not be written (the worker writing it failed)")
    UNEXPECTED = (
        "output_unexpected", "{name}: 未能写出 (意外的错误 {kind}; 加 -v 运行可看到详情)",
        "{name}: could not be written (an unexpected {kind}; run with -v for the details)")
    COPY_FAILED = (
        "copy_failed", "{file}: 未能写出注释副本 ({reason})",
        "{file}: the annotated copy could not be written ({reason})")
    # Writing the file (leadbook.write.atomic)
    CANNOT_WRITE = "cannot_write", "无法写入 {target}: {why}", "cannot write {target}: {why}"
    LOCKED = (
        "target_locked",
        "无法覆盖 {target}: 文件正被另一个程序打开 (Excel 或 WPS?)。关闭它后再运行 leadbook。",
        "cannot replace {target}: the file is open in another program (Excel or WPS?). "
        "Close it and run leadbook again.")
    RUN_ENDED = (
        "run_ended", "{name}: 未写出, 要求写出它的运行已经结束",
        "{name}: not written, the run that asked for it has ended")
    # The consultants' lists (leadbook.write.split)
    LIST_FAILED = (
        "list_failed", "due/{name}: 未能写出 ({why})", "due/{name}: could not be written ({why})")
    LIST_NOT_REMOVED = (
        "list_not_removed", "due/{name}: 无法删除以前的名单 ({why})",
        "due/{name}: an earlier list could not be removed ({why})")
    # The annotated copy's package (leadbook.write.xlsx_zip, copy_checks)
    TOO_LARGE = (
        "copy_too_large", "注释副本将超过 4 GiB",
        "the annotated workbook would be larger than 4 GiB")
    ENCRYPTED_PART = (
        "encrypted_part", "{part}: 加密的工作簿部件无法复制",
        "{part}: encrypted workbook parts cannot be copied")
    DAMAGED_MEMBER = "damaged_member", "{part}: 压缩包成员已损坏", "{part}: damaged zip member"
    CUT_SHORT = (
        "cut_short", "{part}: 工作簿在这个部件中间就结束了",
        "{part}: the workbook ends inside this part")
    WRITTEN_TWICE = (
        "written_twice", "{part}: 在注释副本中写了两次",
        "{part}: written twice into the annotated workbook")
    NO_ROOM = (
        "copy_no_room",
        "{file}: 未生成注释副本: 工作表 '{sheet}' 的数值一直到 {last} 列, 添加的 {added} 列会超出 "
        "Excel 的最后一列 XFD; 请移走或清空最右边的列 (在 Excel 里按 Ctrl+End 可跳到最后一个"
        "单元格) 后再运行",
        "{file}: no annotated copy: sheet '{sheet}' has values as far as column {last}, so the "
        "{added} added columns would lie past Excel's last column XFD; move or clear the far "
        "columns (Ctrl+End in Excel goes to the last cell) and run again")
    DOCTYPE = (
        "copy_doctype", "{file}: 未生成注释副本: 它的部件 {part} 会带有文档类型声明 (DOCTYPE)",
        "{file}: no annotated copy: its part {part} would carry a document type declaration")
    DAMAGED_PART = (
        "copy_damaged_part",
        "{file}: 未生成注释副本: 它的部件 {part} 已损坏, 不是格式正确的 XML ({where}), "
        "含有它的副本将无法打开; 请在 Excel 或 WPS 里打开这个文件, 重新保存",
        "{file}: no annotated copy: its part {part} is damaged, not well-formed XML ({where}), "
        "and a copy holding it would not open; open the file in Excel or WPS and save it again")
    BAD_PATCH = (
        "copy_bad_patch",
        "{file}: 未生成注释副本: leadbook 对它的部件 {part} 的修改不是格式正确的 XML ({where}); "
        "原文件未改动",
        "{file}: no annotated copy: leadbook's patch of its part {part} is not well-formed XML "
        "({where}); the input is unchanged")
    # Why the system refused (by its error number)
    NO_PERMISSION = "no_permission", "没有写入权限", "no permission to write there"
    READ_ONLY = "read_only", "磁盘是只读的", "the disk is read-only"
    DISK_FULL = "disk_full", "磁盘已满", "the disk is full"
    NOT_A_FOLDER = "not_a_folder", "路径中有一段是文件, 不是文件夹", "a part of the path is a file"
    REFUSED = "os_refused", "系统拒绝了写入 ({name})", "the system refused ({name})"


_OS_WHY = {errno.EACCES: OutputWhy.NO_PERMISSION, errno.EPERM: OutputWhy.NO_PERMISSION,
           errno.EROFS: OutputWhy.READ_ONLY, errno.ENOSPC: OutputWhy.DISK_FULL,
           errno.EDQUOT: OutputWhy.DISK_FULL, errno.ENOTDIR: OutputWhy.NOT_A_FOLDER}


def os_why(exc: OSError) -> Value:
    """Why the system refused a write, in words; an error without words of its own is
    named by its symbol (ENAMETOOLONG), never by the system's sentence."""
    found = _OS_WHY.get(exc.errno or 0)
    if found is not None:
        return found
    name = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    return OutputWhy.REFUSED(name=name)


__all__ = ["OutputWhy", "os_why"]
