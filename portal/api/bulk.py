"""Shared pieces of the bulk endpoints (schedule rows, 园区大脑 readings): the ``?dry_run=1``
flag and the import summary they answer with."""
from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.parsers import BaseParser

from portal.api.errors import ApiError, ErrorItemSerializer
from portal.api.parsers import json_loads_fast

TRUE_WORDS = {"1", "true", "yes", "on", "是"}

DRY_RUN_PARAMETER = OpenApiParameter(
    "dry_run", OpenApiTypes.BOOL, OpenApiParameter.QUERY, required=False,
    description="试运行：只校验并报告将新增/修改/不变的行数和全部错误，不保存任何数据（1/true）。",
)


def is_dry_run(request: Any) -> bool:
    return str(request.query_params.get("dry_run", "")).strip().lower() in TRUE_WORDS


class ImportSummarySerializer(serializers.Serializer):
    code = serializers.CharField(required=False, help_text="有错误时：invalid_rows")
    message = serializers.CharField(help_text="中文说明")
    saved = serializers.BooleanField(help_text="是否已保存（试运行或有错误时为 false）")
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField(help_text="新增行数")
    updated = serializers.IntegerField(help_text="修改行数")
    unchanged = serializers.IntegerField(help_text="未变化行数")
    deleted = serializers.IntegerField(required=False, help_text="删除行数（整表替换时，原有而本次未提交的行）")
    lock_version = serializers.IntegerField(required=False, help_text="保存后的修改序号（乐观锁）")
    errors = ErrorItemSerializer(many=True, help_text="错误：有任一错误时整批不保存")
    warnings = ErrorItemSerializer(many=True, help_text="提示：允许保存，提交时须书面说明")


def summary_message(*, saved: bool, dry_run: bool, errors: int, created: int, updated: int, unchanged: int, deleted: int = 0) -> str:
    counts = f"新增{created}行，修改{updated}行，未变化{unchanged}行" + (f"，删除{deleted}行" if deleted else "")
    if errors:
        return f"数据有{errors}个错误，整批未保存（{'试运行：' if dry_run else ''}{counts}）。请修改后重新提交。"
    if dry_run:
        return f"试运行通过，未保存：将{counts}。"
    if saved:
        return f"已保存：{counts}。"
    return f"数据未变化，无需保存：{counts}。"


class RawRowsField(serializers.Field):
    """A list of row objects taken as sent: the service checks every row and reports each error
    with its row number (a batch with one bad row saves nothing and lists every error)."""

    max_rows = 50_000

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list):
            raise serializers.ValidationError("应为行的列表（JSON array）。", code="not_a_list")
        if len(data) > self.max_rows:
            raise serializers.ValidationError(f"一次最多提交{self.max_rows}行。", code="too_many_rows")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class BulkJSONParser(BaseParser):
    """JSON for the bulk endpoints: read straight from the request stream up to
    ``settings.API_BULK_MAX_BYTES`` (10,000 附表1 rows are ~7 MB, above Django's 5 MB cap on
    ordinary request bodies, which still applies everywhere else), then parsed (orjson) and checked
    by ``portal.api.parsers.json_loads_fast`` like every other JSON body."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return self.read(stream, parser_context).value()

    @staticmethod
    def read(stream, parser_context=None) -> "BulkBody":
        limit = settings.API_BULK_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ApiError(f"请求内容过大（上限 {limit // (1024 * 1024)}MB），请分批提交。", code="too_large", status_code=413)
        return BulkBody(raw, (parser_context or {}).get("encoding") or "utf-8")


class BulkBody:
    """A bulk body read (its size checked) and not parsed yet: ``digest`` names its bytes (and
    encoding), ``value()`` parses it once (``json_loads_fast``: orjson, depth and lone-surrogate
    checks as for every JSON body; a refusal raises as the parser would)."""

    def __init__(self, raw: bytes, encoding: str):
        self.raw, self.encoding = raw, encoding
        self._digest: str | None = None
        self._parsed: tuple[Any] | None = None

    @property
    def digest(self) -> str:
        if self._digest is None:
            h = hashlib.blake2b(self.encoding.encode(), digest_size=20)
            h.update(b"\0")
            h.update(self.raw)
            self._digest = h.hexdigest()
        return self._digest

    def value(self) -> Any:
        if self._parsed is None:
            self._parsed = (json_loads_fast(self.raw, self.encoding),)
        return self._parsed[0]


class LazyBulkJSONParser(BulkJSONParser):
    """:class:`BulkJSONParser` whose ``request.data`` is the :class:`BulkBody` itself, parsed when
    the view asks (``value()``): a view that knows what these very bytes hold may skip parsing them."""

    def parse(self, stream, media_type=None, parser_context=None):
        return self.read(stream, parser_context)


def request_body(request: Any) -> Any:
    """``request.data``, parsed (a :class:`BulkBody` is parsed now)."""
    data = request.data
    return data.value() if isinstance(data, BulkBody) else data
