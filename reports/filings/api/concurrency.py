"""Optimistic locking over HTTP, in one place: a filing's ``lock_version`` goes out as its ETag
and comes back in ``If-Match`` (or the body's ``lock_version``); a full replace must carry one
(428 otherwise), a stale one is refused by the service (409)."""
from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.response import Response

from portal.api.errors import ApiError, ErrorSerializer

IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False,
                            description="报表的 lock_version（如 \"3\"）：与当前不一致时拒绝保存（409）。整表提交须提供它或请求体中的 "
                                        "lock_version，两者都没有时拒绝保存（428）；试运行不需要")
LOCK_REQUIRED = OpenApiResponse(ErrorSerializer, description="未提供 lock_version 或 If-Match：整表替换须说明基于哪个版本（428）")


class LockVersionMixin:
    """For viewsets whose objects carry ``lock_version``."""

    @staticmethod
    def with_etag(response: Response, lock_version: int | None) -> Response:
        if lock_version is not None:
            response["ETag"] = f'"{lock_version}"'
        return response

    @staticmethod
    def lock_version(request, body_value: int | None) -> int | None:
        """The version the client says it replaces: If-Match or the body (both: they must agree)."""
        raw = request.headers.get("If-Match", "").strip()
        header: int | None = None
        if raw and raw != "*":
            text = raw[2:] if raw.startswith("W/") else raw
            text = text.strip().strip('"')
            if not re.fullmatch(r"[0-9]{1,12}", text):
                raise ApiError("If-Match 请求头应为报表的 lock_version（如 \"3\"）。", code="invalid", status_code=400,
                               errors=[{"field": "If-Match", "code": "invalid", "message": "应为非负整数"}])
            header = int(text)
            if header > 2**31 - 1:
                raise ApiError("If-Match 请求头的 lock_version 超出范围。", code="invalid", status_code=400)
        if header is not None and body_value is not None and header != body_value:
            raise ApiError("If-Match 请求头与 lock_version 不一致。", code="invalid", status_code=400)
        return header if header is not None else body_value


    @staticmethod
    def require_lock_version(expected: int | None) -> None:
        """A full replace says which version of the filing it replaces (optimistic locking is not optional)."""
        if expected is None:
            raise ApiError(
                "整表提交会替换报表的全部行，必须在请求体中提供 lock_version，或在请求头 If-Match 中提供（取自获取报表时返回的 "
                "lock_version 或 ETag），以免覆盖他人同时所作的修改。数据未保存。",
                code="precondition_required", status_code=428,
                errors=[{"field": "lock_version", "code": "required", "message": "必须提供 lock_version 或 If-Match 请求头"}],
            )
