"""Idempotency-Key for API POSTs: a request is done once per user and key, a repeat gets the
stored first answer (``IdempotencyMixin``, part of every portal API view)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from portal.api.bulk import request_body
from portal.api.errors import ApiError
from portal.models import IdempotencyKey

IDEMPOTENCY_HEADER = "Idempotency-Key"
ABANDONED_AFTER = dt.timedelta(minutes=10)  # a first request still "in progress" after this died


class _Replay(Exception):
    def __init__(self, record: IdempotencyKey):
        self.record = record


def _request_hash(request) -> str:
    """Method, path, query and the parsed body (so a bulk body above Django's in-memory cap is
    hashed too); uploaded files by their content."""
    h = hashlib.sha256()
    h.update(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode())
    data = request_body(request)
    files = getattr(request, "FILES", None) or {}
    if hasattr(data, "lists"):  # a form: keys with their (possibly several) values
        h.update(json.dumps(sorted((k, [str(v) for v in vs]) for k, vs in data.lists() if k not in files),
                            ensure_ascii=False).encode())
    else:
        h.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    for key in sorted(files):
        for upload in files.getlist(key):
            h.update(f"\n{key}:{upload.name}:{upload.size}\n".encode())
            for chunk in upload.chunks():
                h.update(chunk)
            upload.seek(0)
    return h.hexdigest()


class IdempotencyMixin:
    """A POST with an ``Idempotency-Key`` header is done once per user and key: a repeat (same
    method, path, query and body) gets the stored first answer with ``Idempotent-Replayed: true``;
    the same key on another request is refused (422); a repeat while the first is still running
    gets 409 (a first request unfinished after 10 minutes is taken as dead and done afresh). Keys
    are kept ``settings.API_IDEMPOTENCY_TTL`` (24 h). Server errors are not stored, so such a
    request may be retried with the same key. Client errors (400/403/409 …) are stored: the same
    request with the same key gets the same refusal."""

    _idempotency: IdempotencyKey | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency = None
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip() if request.method == "POST" else ""
        if not key:
            return
        if len(key) > 255:
            raise ApiError("Idempotency-Key 不能超过255个字符。", code="invalid", status_code=400,
                           errors=[{"field": IDEMPOTENCY_HEADER, "code": "max_length", "message": "不能超过255个字符"}])
        digest = _request_hash(request)
        ttl: dt.timedelta = getattr(settings, "API_IDEMPOTENCY_TTL", dt.timedelta(hours=24))
        now = timezone.now()
        with transaction.atomic():
            # expired keys, and first requests that never finished (the process died): start afresh
            IdempotencyKey.objects.filter(user=request.user, key=key, created_at__lt=now - ttl).delete()
            IdempotencyKey.objects.filter(user=request.user, key=key, response_status__isnull=True,
                                          created_at__lt=now - ABANDONED_AFTER).delete()
        try:
            with transaction.atomic():
                record, created = IdempotencyKey.objects.get_or_create(
                    user=request.user, key=key,
                    defaults={"method": request.method, "path": request.path[:500], "request_hash": digest},
                )
        except IntegrityError:
            record, created = IdempotencyKey.objects.get(user=request.user, key=key), False
        if created:
            self._idempotency = record
            return
        if (record.method, record.path, record.request_hash) != (request.method, request.path[:500], digest):
            raise ApiError("该 Idempotency-Key 已用于另一个请求，请为新请求使用新的键。", code="idempotency_key_reused",
                           status_code=422)
        if record.response_status is None:
            raise ApiError("使用该 Idempotency-Key 的首次请求仍在处理中，请稍后重试。", code="idempotency_in_progress",
                           status_code=409)
        raise _Replay(record)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            response = Response(exc.record.response_body, status=exc.record.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record, self._idempotency = self._idempotency, None
        if record is not None:
            if response.status_code >= 500:
                IdempotencyKey.objects.filter(pk=record.pk).delete()
            else:
                data = json.loads(JSONRenderer().render(response.data) or b"null")
                IdempotencyKey.objects.filter(pk=record.pk).update(response_status=response.status_code, response_body=data)
        return response

