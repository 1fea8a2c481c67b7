"""Every API error as JSON ``{"code": ..., "message": <Chinese>, "errors": [...]}``.

``code`` is a stable machine-readable word (``invalid``, ``not_authenticated``,
``authentication_failed``, ``permission_denied``, ``not_found``, ``throttled``, ``stale``, ...);
``message`` says in Chinese what went wrong and what to do; ``errors`` lists the details, each
``{"field", "code", "message"}`` (row imports add ``row``, ``label``, ``value`` and ``name``: the row's enterprise or park).

Django's ``PermissionDenied`` / ``ValidationError`` raised by the services, ``StaleObject``
(optimistic locking, e.g. ``StaleFiling``), database integrity errors and a busy (locked) SQLite database (503 with
Retry-After) are mapped here too, so a view never has to catch them; anything else is logged and
answered as a JSON 500."""
from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from portal.exceptions import StaleObject
from portal.middleware import BUSY_MESSAGE, RETRY_AFTER_SECONDS, is_database_locked

log = logging.getLogger(__name__)

MESSAGES: dict[str, str] = {
    "invalid": "提交的数据有误，请按错误列表修改后重试。",
    "parse_error": "请求内容无法解析，请检查 JSON 格式或表单内容。",
    "not_authenticated": "未提供身份认证信息：请在请求头中携带 “Authorization: Token <令牌>”，或先登录。",
    "authentication_failed": "令牌无效、已过期或已被吊销，请在“个人设置 / API令牌”页面重新创建。",
    "permission_denied": "您没有权限执行此操作。",
    "not_found": "未找到该记录，或您无权查看。",
    "method_not_allowed": "不支持该请求方法。",
    "not_acceptable": "无法按请求的格式返回内容，请使用 application/json。",
    "unsupported_media_type": "不支持该请求内容类型，请使用 application/json（上传文件用 multipart/form-data）。",
    "throttled": "请求过于频繁，请稍后重试。",
    "stale": "该报表已被他人修改，您的修改未保存。请重新获取后再提交。",
    "conflict": "数据与已有记录冲突，未保存。",
    "server_error": "服务器内部错误，数据未保存。请稍后重试或联系管理员。",
    "error": "请求未能完成。",
}

_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ValidationError, "invalid"),
    (exceptions.ParseError, "parse_error"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


class ApiError(exceptions.APIException):
    """An error with an explicit code, Chinese message and optional details."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = MESSAGES["error"]
    default_code = "error"

    def __init__(self, message: str, *, code: str = "error", status_code: int | None = None,
                 errors: list[dict[str, Any]] | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message, code)
        self.error_code = code
        self.errors = errors or []
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


def body(code: str, message: str | None = None, errors: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message or MESSAGES.get(code, MESSAGES["error"]), "errors": errors or [], **extra}


def flatten(detail: Any, field: str = "") -> list[dict[str, Any]]:
    """DRF's nested error detail as a flat list of ``{"field", "code", "message"}``."""
    out: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            out += flatten(value, f"{field}.{name}" if field and name else (name or field))
    elif isinstance(detail, list):
        if all(isinstance(d, (str, exceptions.ErrorDetail)) for d in detail):
            for d in detail:
                out.append({"field": field, "code": getattr(d, "code", "invalid") or "invalid", "message": str(d)})
        else:
            for i, value in enumerate(detail):
                out += flatten(value, f"{field}.{i}" if field else str(i))
    else:
        out.append({"field": field, "code": getattr(detail, "code", "invalid") or "invalid", "message": str(detail)})
    return out


def django_validation_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for e in errors:
                for message in e.messages:
                    out.append({"field": "" if field == "__all__" else field, "code": e.code or "invalid", "message": message})
    else:
        for e in exc.error_list:
            for message in e.messages:
                out.append({"field": "", "code": e.code or "invalid", "message": message})
    return out


def _code_of(exc: exceptions.APIException) -> str:
    for cls, code in _CODES:
        if isinstance(exc, cls):
            return code
    return "error"


def _message_of(exc: exceptions.APIException, code: str) -> str:
    if code == "throttled":
        wait = getattr(exc, "wait", None)
        return f"请求过于频繁，请在 {int(wait) + 1} 秒后重试。" if wait else MESSAGES["throttled"]
    if code in ("invalid", "not_authenticated", "authentication_failed", "method_not_allowed", "not_acceptable",
                "unsupported_media_type", "parse_error"):
        return MESSAGES[code]
    detail = exc.detail
    if isinstance(detail, str) and detail and str(detail) != str(exc.default_detail):
        return str(detail)  # a specific message (the services speak Chinese)
    return MESSAGES.get(code, str(detail))


def _django_error_response(exc: Exception) -> Response | None:
    """Django and database errors the API answers in its own format (None: not one of them)."""
    if isinstance(exc, StaleObject):
        return Response(body("stale", str(exc) or MESSAGES["stale"]), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = django_validation_errors(exc)
        message = "；".join(e["message"] for e in errors if not e["field"]) or MESSAGES["invalid"]
        return Response(body("invalid", message, errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        many_files = isinstance(exc, TooManyFilesSent)
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES if many_files else settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        what = "文件" if many_files else "字段"
        return Response(body("too_many_fields", f"表单{what}数量过多（最多 {limit} 个），请求未处理，数据未保存。"),
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return Response(body("too_large", "请求内容过大，请分批提交或上传文件。"), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, (OverflowError, DataError)):
        log.warning("out-of-range value answered as 400: %s", exc)
        return Response(body("invalid", "数值超出允许范围，未保存。"), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        log.warning("integrity error answered as 409: %s", exc)
        return Response(body("conflict"), status=status.HTTP_409_CONFLICT)
    return None


def _api_exception_response(exc: exceptions.APIException, context: dict[str, Any]) -> Response:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = "%d" % exc.wait
    code = _code_of(exc)
    if code in ("not_authenticated", "authentication_failed") and exc.status_code == status.HTTP_403_FORBIDDEN:
        code = "permission_denied"
    errors = flatten(exc.detail) if code == "invalid" else []
    if code == "method_not_allowed":
        method = (context.get("request").method if context.get("request") is not None else "")
        message = f"不支持 {method} 请求方法。" if method else MESSAGES[code]
    else:
        message = _message_of(exc, code)
    return Response(body(code, message, errors), status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as ``{code, message, errors}`` in Chinese; whatever went wrong is rolled back."""
    set_rollback()
    if is_database_locked(exc):  # SQLite still locked after waiting: try again shortly (nothing saved)
        log.warning("database busy answered as 503: %s", exc)
        return Response(body("busy", BUSY_MESSAGE), status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, ApiError):
        return Response(body(exc.error_code, str(exc.detail), exc.errors, **exc.extra), status=exc.status_code)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args or (MESSAGES["permission_denied"],)))
    else:
        response = _django_error_response(exc)
        if response is not None:
            return response
    if isinstance(exc, exceptions.APIException):
        return _api_exception_response(exc, context)
    log.exception("unhandled API error", exc_info=exc)
    return Response(body("server_error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR)


# --- schema -----------------------------------------------------------------------------------

class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="出错的字段（键名）；整体错误为空")
    code = serializers.CharField(help_text="错误代码")
    message = serializers.CharField(help_text="中文说明")
    row = serializers.IntegerField(required=False, allow_null=True, help_text="批量数据中的行号（从1起）")
    label = serializers.CharField(required=False, help_text="字段的中文名称")
    value = serializers.CharField(required=False, help_text="填写的原值")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="错误代码，如 invalid / not_authenticated / permission_denied / not_found / throttled")
    message = serializers.CharField(help_text="中文说明")
    errors = ErrorItemSerializer(many=True)
