import io
import os
import struct
import tempfile
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.filings.upload_safety import UploadRejected, check_xlsx_upload, ensure_defusedxml

MB = 1024 * 1024
SHEET_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def make_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["杭州市 XX 小微企业园分类建档基础台帐"])
    ws.append(["企业名称", "统一社会信用代码", "从业人员(人)"])
    ws.append(["杭州某某科技有限公司", "91350100M000100Y43", 12])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GOOD = make_xlsx()


def rebuild(source: bytes, *, replace=None, drop=(), add=()) -> bytes:
    """Copy a zip, replacing members' bytes via ``replace`` {name: fn(bytes) -> bytes},
    dropping the ``drop`` names and appending ``add`` (name, bytes) members."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            content = src.read(info)
            if info.filename in replace:
                content = replace[info.filename](content)
            dst.writestr(info.filename, content)
        for name, content in add:
            dst.writestr(name, content)
    return out.getvalue()


def claim_size(source: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size the central directory declares for ``name``."""
    data = bytearray(source)
    encoded = name.encode()
    position = 0
    while True:
        position = data.index(b"PK\x01\x02", position)
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == encoded:
            struct.pack_into("<I", data, position + 24, size)
            return bytes(data)
        position += 4


def rejected(**kwargs) -> UploadRejected:
    kwargs.setdefault("name", "台帐.xlsx")
    with pytest.raises(UploadRejected) as info:
        check_xlsx_upload(**kwargs)
    return info.value


# --------------------------------------------------------------------------- accepted


def test_good_workbook_passes():
    check_xlsx_upload(name="台帐.xlsx", data=GOOD)
    check_xlsx_upload(name="C:\\Users\\王\\Desktop\\台帐.XLSX", data=GOOD)
    check_xlsx_upload(name="台帐.xlsx", fileobj=io.BytesIO(GOOD))


def test_fileobj_position_is_restored_and_openpyxl_can_then_read_it():
    stream = io.BytesIO(GOOD)
    stream.seek(7)
    check_xlsx_upload(name="a.xlsx", fileobj=stream)
    assert stream.tell() == 7
    stream.seek(0)
    assert openpyxl.load_workbook(stream, read_only=True).active["A3"].value == "杭州某某科技有限公司"


def test_django_uploaded_file():
    upload = SimpleUploadedFile("台帐.xlsx", GOOD, content_type="application/octet-stream")
    check_xlsx_upload(name=upload.name, fileobj=upload)
    assert upload.tell() == 0


def test_non_seekable_stream():
    class Pipe:
        def __init__(self, data):
            self._buffer = io.BytesIO(data)

        def read(self, n=-1):
            return self._buffer.read(n)

    check_xlsx_upload(name="a.xlsx", fileobj=Pipe(GOOD))
    assert rejected(fileobj=Pipe(GOOD), max_bytes=100).code == "too_large"


def test_large_incompressible_media_is_not_a_bomb():
    data = rebuild(GOOD, add=[("xl/media/image1.png", os.urandom(11 * MB))])
    check_xlsx_upload(name="a.xlsx", data=data)


def test_exactly_one_source_is_required():
    with pytest.raises(TypeError):
        check_xlsx_upload(name="a.xlsx")
    with pytest.raises(TypeError):
        check_xlsx_upload(name="a.xlsx", data=GOOD, fileobj=io.BytesIO(GOOD))


# --------------------------------------------------------------------------- size


def test_50_mb_file_is_rejected_without_reading_it():
    with tempfile.TemporaryFile() as handle:
        handle.truncate(50 * MB)  # sparse: costs no disk and is never read
        handle.seek(0)
        error = rejected(fileobj=handle)
        assert handle.tell() == 0
    assert error.message == "文件大小超过上限（20 MB）"
    assert error.code == "too_large"


def test_size_limit_comes_from_settings(settings):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    error = rejected(data=GOOD + b"\0" * MB)
    assert error.message == "文件大小超过上限（1 MB）"


def test_size_limit_argument():
    assert rejected(data=GOOD, max_bytes=len(GOOD) - 1).code == "too_large"
    check_xlsx_upload(name="a.xlsx", data=GOOD, max_bytes=len(GOOD))
    assert rejected(data=b"x" * (2 * MB), max_bytes=MB + MB // 2).message == "文件大小超过上限（1.5 MB）"


def test_empty_file():
    error = rejected(data=b"")
    assert (error.message, error.code) == ("文件为空", "empty")
    assert rejected(fileobj=io.BytesIO()).message == "文件为空"


# --------------------------------------------------------------------------- extension


@pytest.mark.parametrize(
    "name, message",
    [
        ("台帐.xlsm", "不接受启用宏的工作簿（.xlsm），请另存为 .xlsx"),
        ("台帐.XLSM", "不接受启用宏的工作簿（.xlsm），请另存为 .xlsx"),
        ("台帐.xls", "不接受旧版 Excel 格式（.xls），请另存为 .xlsx"),
        ("台帐.csv", "不接受 CSV 文件，请使用平台提供的 .xlsx 模板"),
        ("台帐.xlsb", "只接受 .xlsx 格式的 Excel 文件"),
        ("台帐.xltx", "只接受 .xlsx 格式的 Excel 文件"),
        ("台帐.pdf", "只接受 .xlsx 格式的 Excel 文件"),
        ("台帐", "只接受 .xlsx 格式的 Excel 文件"),
        ("台帐.xlsx.exe", "只接受 .xlsx 格式的 Excel 文件"),
    ],
)
def test_extension(name, message):
    assert rejected(name=name, data=GOOD).message == message


# --------------------------------------------------------------------------- content


def test_real_xls_renamed_to_xlsx():
    data = OLE2_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 2048
    error = rejected(data=data)
    assert error.message == "文件实为旧版 Excel（.xls）格式，请另存为 .xlsx"
    assert error.code == "legacy_content"


def test_password_protected_workbook():
    data = OLE2_MAGIC + b"\x00" * 5000 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100
    error = rejected(data=data)
    assert error.code == "encrypted"
    assert "密码" in error.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_csv_renamed_to_xlsx(encoding):
    text = "企业名称,统一社会信用代码,从业人员(人)\n杭州某某科技有限公司,91350100M000100Y43,12\n" * 50
    error = rejected(data=text.encode(encoding))
    assert error.message == "文件不是有效的 .xlsx 工作簿（可能是改了扩展名的 CSV 或文本文件）"
    assert error.code == "text_content"


def test_html_table_saved_as_xlsx_is_text():
    assert rejected(data=b"<html><body><table><tr><td>1</td></tr></table></body></html>").code == "text_content"


def test_other_binary_renamed_to_xlsx():
    error = rejected(data=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    assert error.message == "文件不是有效的 .xlsx 工作簿"


@pytest.mark.parametrize(
    "data",
    [
        rebuild(GOOD, drop=("xl/workbook.xml",)),
        rebuild(GOOD, drop=("[Content_Types].xml",)),
        rebuild(b"PK\x05\x06" + b"\x00" * 18, add=[("hello.txt", b"hello")]),
    ],
    ids=["no-workbook", "no-content-types", "plain-zip"],
)
def test_zip_that_is_not_a_workbook(data):
    error = rejected(data=data)
    assert error.message == "文件不是有效的 .xlsx 工作簿"
    assert error.code == "not_xlsx"


def test_docx_renamed_to_xlsx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert rejected(data=out.getvalue()).message == "文件不是有效的 .xlsx 工作簿"


@pytest.mark.parametrize(
    "data",
    [
        GOOD[: len(GOOD) // 2],
        b"PK\x03\x04" + b"\xff" * 1000,
        GOOD[:-10],
    ],
    ids=["truncated", "garbage", "no-end-record"],
)
def test_corrupt_zip(data):
    error = rejected(data=data)
    assert error.message == "文件已损坏，无法读取"
    assert error.code == "corrupt"


# --------------------------------------------------------------------------- macros


def test_vba_project_in_a_renamed_xlsm():
    data = rebuild(GOOD, add=[("xl/vbaProject.bin", OLE2_MAGIC + b"\x00" * 100)])
    error = rejected(data=data)
    assert (error.message, error.code) == ("文件包含宏，不予接收", "macro")


def test_macro_enabled_content_type():
    data = rebuild(GOOD, replace={"[Content_Types].xml": lambda xml: xml.replace(SHEET_MAIN, MACRO_MAIN)})
    assert MACRO_MAIN in zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    assert rejected(data=data).message == "文件包含宏，不予接收"


# --------------------------------------------------------------------------- zip bombs

BOMB = "文件解压后体积异常（疑似压缩炸弹），不予处理"


def test_entry_with_extreme_compression_ratio():
    started = time.monotonic()
    data = rebuild(GOOD, add=[("xl/worksheets/sheet2.xml", b"\0" * (20 * MB))])
    assert len(data) < MB  # 20 MB of zeros deflate to ~20 KB: ratio ~1000:1
    error = rejected(data=data)
    assert (error.message, error.code) == (BOMB, "zip_bomb")
    assert time.monotonic() - started < 3


def test_declared_total_size_over_200_mb():
    # Nothing is ever decompressed, so a header claiming 300 MB is enough.
    data = claim_size(GOOD, "xl/worksheets/sheet1.xml", 300 * MB)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size == 300 * MB
    assert rejected(data=data).message == BOMB


def test_declared_total_just_under_the_limit_with_moderate_ratio():
    media = os.urandom(2 * MB)
    data = rebuild(GOOD, add=[("xl/media/image1.png", media)])
    # 2 MB compressed claiming 190 MB: ratio 95:1 and total under 200 MB.
    data = claim_size(data, "xl/media/image1.png", 190 * MB)
    check_xlsx_upload(name="a.xlsx", data=data)


def test_total_limit_is_configurable():
    total = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(GOOD)).infolist())
    assert rejected(data=GOOD, max_uncompressed=total - 1).code == "zip_bomb"
    check_xlsx_upload(name="a.xlsx", data=GOOD, max_uncompressed=total)


def test_2001_entries():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", SHEET_MAIN)
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(1999):
            archive.writestr(f"xl/x/{i}.xml", b"")
    data = out.getvalue()
    assert len(zipfile.ZipFile(io.BytesIO(data)).infolist()) == 2001
    error = rejected(data=data)
    assert (error.message, error.code) == ("压缩包条目过多", "too_many_entries")
    # 2000 entries are fine as far as this check goes; the limit is configurable.
    check_xlsx_upload(name="a.xlsx", data=data, max_entries=2001)
    assert rejected(data=GOOD, max_entries=3).message == "压缩包条目过多"


# --------------------------------------------------------------------------- XML safety


def test_defusedxml_is_installed_and_used_by_openpyxl():
    ensure_defusedxml()
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
