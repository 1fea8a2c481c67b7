"""Checks on an uploaded workbook BEFORE any xlsx library opens it.

:func:`check_xlsx_upload` looks only at the name, the size, the first bytes and the zip central
directory (``ZipFile.infolist()``); it never decompresses a worksheet. The one member it reads is
``[Content_Types].xml``, and only after checking that its declared size is small. Python's
``zipfile`` stops every member at its declared size when openpyxl later reads it, so the declared
sizes checked here bound what opening the workbook can inflate to.

XML entity attacks are handled by openpyxl itself, which parses with ``defusedxml`` when it is
installed: :func:`ensure_defusedxml` verifies that it is.
"""

from __future__ import annotations

import importlib.util
import io
import os
import zipfile
from typing import BinaryIO

from django.conf import settings

__all__ = [
    "UploadRejected",
    "check_xlsx_upload",
    "upload_name_check",
    "upload_size_check",
    "ensure_defusedxml",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ENTRIES",
    "DEFAULT_MAX_UNCOMPRESSED",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ENTRIES = 2000
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
# A single member is suspicious when it inflates by more than this ratio AND to more than
# _RATIO_MIN_SIZE (small, very repetitive XML parts legitimately compress well).
MAX_COMPRESSION_RATIO = 200
_RATIO_MIN_SIZE = 10 * 1024 * 1024
# [Content_Types].xml of a real workbook is a few KB.
_MAX_CONTENT_TYPES_SIZE = 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_MACRO_CONTENT_TYPE = b"application/vnd.ms-excel.sheet.macroenabled.main+xml"

_MSG_NOT_XLSX = "文件不是有效的 .xlsx 工作簿"


class UploadRejected(Exception):
    """An upload refused before parsing: ``message`` is for the user, ``code`` a short slug."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def ensure_defusedxml() -> None:
    """Raise RuntimeError unless defusedxml is installed (openpyxl then uses it automatically)."""
    if importlib.util.find_spec("defusedxml") is None:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "defusedxml is not installed: openpyxl would parse uploaded XML without protection "
            "against entity-expansion attacks. Install it (see requirements.txt)."
        )


def _default_max_bytes() -> int:
    try:
        return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))
    except Exception:  # settings not configured (plain Python use)
        return DEFAULT_MAX_BYTES


def upload_size_check(size: int, *, max_bytes: int | None = None) -> None:
    """THE upload size limit (``settings.UPLOAD_MAX_BYTES``): the web form, the API and the full
    check all ask here, before anything is read."""
    limit = _default_max_bytes() if max_bytes is None else max_bytes
    if size > limit:
        raise UploadRejected(f"文件大小超过上限（{_format_mb(limit)}）", "too_large")


def _format_mb(n_bytes: int) -> str:
    mb = n_bytes / (1024 * 1024)
    return f"{mb:.0f} MB" if mb == int(mb) else f"{mb:.1f} MB"


def upload_name_check(name: str) -> None:
    """The file name must end in .xlsx (the web form, the API and the full check ask here)."""
    ext = os.path.splitext(os.path.basename(name.replace("\\", "/")).strip())[1].lower()
    if ext == ".xlsx":
        return
    if ext == ".xlsm":
        raise UploadRejected("不接受启用宏的工作簿（.xlsm），请另存为 .xlsx", "macro_extension")
    if ext == ".xls":
        raise UploadRejected("不接受旧版 Excel 格式（.xls），请另存为 .xlsx", "legacy_extension")
    if ext == ".csv":
        raise UploadRejected("不接受 CSV 文件，请使用平台提供的 .xlsx 模板", "csv_extension")
    raise UploadRejected("只接受 .xlsx 格式的 Excel 文件", "bad_extension")


def _size_of(fileobj: BinaryIO) -> int | None:
    try:
        position = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(position)
        return size
    except (AttributeError, OSError, ValueError):
        size = getattr(fileobj, "size", None)  # e.g. a Django UploadedFile
        return int(size) if size is not None else None


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # The sample may end in the middle of a multi-byte character.
            try:
                text = head[:-4].decode(encoding)
            except UnicodeDecodeError:
                continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        return controls <= len(text) // 100
    return False


def _contains(stream: BinaryIO, needle: bytes, limit: int, chunk: int = 1024 * 1024) -> bool:
    """Whether ``needle`` occurs in the first ``limit`` bytes of ``stream`` (read in chunks)."""
    stream.seek(0)
    tail = b""
    read = 0
    while read < limit:
        block = stream.read(min(chunk, limit - read))
        if not block:
            return False
        read += len(block)
        if needle in tail + block:
            return True
        tail = block[-len(needle) :]
    return False


def _check_zip(stream: BinaryIO, *, max_entries: int, max_uncompressed: int) -> None:
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                raise UploadRejected("压缩包条目过多", "too_many_entries")
            bomb = UploadRejected("文件解压后体积异常（疑似压缩炸弹），不予处理", "zip_bomb")
            total = 0
            for info in infos:
                total += info.file_size
                if total > max_uncompressed:
                    raise bomb
                if info.file_size > _RATIO_MIN_SIZE and (
                    info.compress_size <= 0
                    or info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
                ):
                    raise bomb
            if any(info.flag_bits & 0x1 for info in infos):
                raise UploadRejected("文件已加密，请取消密码保护后另存为 .xlsx", "encrypted")
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise UploadRejected(_MSG_NOT_XLSX, "not_xlsx")
            if any(name.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for name in names):
                raise UploadRejected("文件包含宏，不予接收", "macro")
            content_types = archive.getinfo("[Content_Types].xml")
            if content_types.file_size > _MAX_CONTENT_TYPES_SIZE:
                raise UploadRejected(_MSG_NOT_XLSX, "not_xlsx")
            manifest = archive.read(content_types).lower()
            if _MACRO_CONTENT_TYPE in manifest:
                raise UploadRejected("文件包含宏，不予接收", "macro")
    except UploadRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError, KeyError, RuntimeError):
        raise UploadRejected("文件已损坏，无法读取", "corrupt") from None


def _open_stream(*, data: bytes | None, fileobj: BinaryIO | None, max_bytes: int) -> tuple[int | None, BinaryIO, int | None]:
    """(size if known, a stream at its start, the position to give the caller's file back)."""
    if data is not None:
        return len(data), io.BytesIO(data), None
    assert fileobj is not None
    size = _size_of(fileobj)
    try:
        restore = fileobj.tell()
        fileobj.seek(0)
        return size, fileobj, restore
    except (AttributeError, OSError, ValueError):
        # Not seekable: read at most one byte over the limit.
        buffered = fileobj.read(max_bytes + 1)
        return len(buffered), io.BytesIO(buffered), None


def _magic_check(stream: BinaryIO, head: bytes, *, max_bytes: int) -> None:
    """The first bytes must be a zip (xlsx), not an old or encrypted OLE2 file or text."""
    if head.startswith(_OLE2_MAGIC):
        if _contains(stream, _ENCRYPTED_PACKAGE, max_bytes):
            raise UploadRejected("文件已加密（设置了打开密码），请取消密码保护后另存为 .xlsx", "encrypted")
        raise UploadRejected("文件实为旧版 Excel（.xls）格式，请另存为 .xlsx", "legacy_content")
    if not head.startswith(_ZIP_MAGIC):
        if _looks_like_text(head):
            raise UploadRejected("文件不是有效的 .xlsx 工作簿（可能是改了扩展名的 CSV 或文本文件）", "text_content")
        raise UploadRejected(_MSG_NOT_XLSX, "not_xlsx")


def check_xlsx_upload(
    *,
    name: str,
    data: bytes | None = None,
    fileobj: BinaryIO | None = None,
    max_bytes: int | None = None,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
) -> None:
    """Raise :class:`UploadRejected` unless the upload is a plausible, macro-free .xlsx.

    Give the content either as ``data`` or as a seekable binary ``fileobj`` (a Django
    ``UploadedFile`` works); a ``fileobj`` is left at the position it had. ``max_bytes`` defaults
    to ``settings.UPLOAD_MAX_BYTES`` (20 MB). Checks, in order: size, emptiness, extension, magic
    bytes, zip central directory (entry count, declared sizes, compression ratios), xlsx
    structure, macros.
    """
    if (data is None) == (fileobj is None):
        raise TypeError("pass exactly one of data= or fileobj=")
    if max_bytes is None:
        max_bytes = _default_max_bytes()
    size, stream, restore = _open_stream(data=data, fileobj=fileobj, max_bytes=max_bytes)
    if size is not None:
        upload_size_check(size, max_bytes=max_bytes)
    try:
        head = stream.read(4096)
        if size is None:
            size = len(head) + len(stream.read(max_bytes + 1 - len(head)))
            upload_size_check(size, max_bytes=max_bytes)
        if size == 0:
            raise UploadRejected("文件为空", "empty")
        upload_name_check(name)
        _magic_check(stream, head, max_bytes=max_bytes)
        stream.seek(0)
        _check_zip(stream, max_entries=max_entries, max_uncompressed=max_uncompressed)
    finally:
        if restore is not None:
            fileobj.seek(restore)  # type: ignore[union-attr]
