"""Reporting endpoints: periods; filings (list with filters, open, retrieve with rows); the bulk row
upsert per schedule (``POST /filings/{id}/rows/``, ``?dry_run=1``); xlsx upload; the workflow
steps as POSTs; import jobs; park (附表2), city and province summaries; target results.

Every write calls the same service as the web pages (``reports.filings.services``, ``reports.filings.imports``,
``reports.workflow``), which ask ``portal.access`` again; querysets go through
``access.restrict``.

A full replace (rows POST, xlsx upload) must say which version it replaces: ``lock_version`` in
the body or an ``If-Match`` header, else 428 and nothing is saved (a writer that never read the
filing would silently overwrite a concurrent change); a stale one is a 409. A dry run needs none.

Idempotent re-send of a row set: the service's full replace would rewrite identical rows and
bump ``lock_version``. So when the filing already has rows, a 附表1 / 附表5 save runs the service
with ``unless_unchanged``: when the rows would create, update and delete nothing (and hold no
error), nothing is written and the answer says everything is ``unchanged`` — nothing in the
database moves, ``lock_version`` included, and the version is not checked, so a retry carrying the
version it had before its first (successful) attempt is not refused; otherwise the version is
checked and the rows saved, in that one validation under the row lock. (附表4 still probes with a
dry run first, its 推进情况 compared too.) A re-send of exactly the rows last saved (or last found
unchanged) is answered from the cache without reading them again (``reports.filings.resend``:
same issues, same counts, the context they were checked against unmoved); the very same bytes are
not even parsed again (``resend.body_recall``; the version is still required). A batch with any
error saves nothing and lists every error; a dry run reports exactly the errors
the real run would (same code path)."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from portal import access
from portal.api.bulk import (
    DRY_RUN_PARAMETER,
    BulkBody,
    ImportSummarySerializer,
    LazyBulkJSONParser,
    is_dry_run,
    request_body,
    summary_message,
)
from portal.api.errors import ApiError, ErrorSerializer
from portal.api.views import PortalAPIMixin
from portal.gcpause import gc_paused
from reports.filings import imports, resend, selectors, services
from reports.filings.api.concurrency import IF_MATCH, LOCK_REQUIRED, LockVersionMixin
from reports.filings.api.filtersets import FilingAPIFilterSet, ImportJobFilterSet, PeriodAPIFilterSet
from reports.filings.api.rows_body import narrative_split, rows_check
from reports.filings.api.serializers import (
    ROW_OUTPUT_PROXY,
    ROW_SERIALIZERS,
    FilingCreateSerializer,
    FilingRowsDetailSerializer,
    FilingRowsRequestSerializer,
    FilingSerializer,
    ImportJobSerializer,
    PeriodSerializer,
    UploadSerializer,
    row_values,
)
from reports.filings.choices import ScheduleCode
from reports.filings.models import ROW_MODELS, Filing, ImportJob, Period, T4Record
from reports.filings.upload_safety import UploadRejected, upload_size_check
from reports.schedules import SCHEDULES

# --- periods ----------------------------------------------------------------------------------------

@extend_schema_view(list=extend_schema(summary="报送期列表"), retrieve=extend_schema(summary="报送期"))
class PeriodViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Periods are reference data every signed-in user reads."""

    queryset = Period.objects.all()
    serializer_class = PeriodSerializer
    filterset_class = PeriodAPIFilterSet
    ordering_fields = ["year", "quarter", "code"]
    ordering = ["-year", "-quarter"]


# --- helpers for row uploads ---------------------------------------------------------------------------

def _issue(d: dict[str, Any]) -> dict[str, Any]:
    return {"row": d.get("row"), "field": d.get("column") or "", "label": d.get("label") or "", "code": d.get("code") or "",
            "message": d.get("message") or "", "value": d.get("value") or "", "name": d.get("name") or ""}


def _narrative_changed(filing: Filing, narrative: dict[str, str] | None) -> bool:
    if not narrative:
        return False
    stored = T4Record.objects.filter(filing=filing).values(*narrative.keys()).first() or {}
    return any(value.strip() != (stored.get(key) or "") for key, value in narrative.items())


def _has_stored_rows(filing: Filing) -> bool:
    if filing.schedule == ScheduleCode.T4:
        return T4Record.objects.filter(filing=filing).exists()
    return filing.row_count > 0 or ROW_MODELS[filing.schedule].objects.filter(filing=filing).exists()


# --- filings -----------------------------------------------------------------------------------------------

class FilingViewSet(LockVersionMixin, PortalAPIMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Filing.objects.select_related("period", "park__county", "branch__region", "branch__institution", "city")
    serializer_class = FilingSerializer
    filterset_class = FilingAPIFilterSet
    ordering_fields = ["period__year", "period__quarter", "schedule", "status", "updated_at", "id"]
    ordering = ["-period__year", "-period__quarter", "schedule", "id"]
    bulk_actions = ("rows", "upload")
    detail_serializer_class = FilingRowsDetailSerializer  # the workflow stage adds the steps and the timeline

    def get_queryset(self):
        return access.restrict(self.request.user, super().get_queryset(), access.VIEW)

    def get_serializer_class(self):
        return {"retrieve": self.detail_serializer_class, "create": FilingCreateSerializer, "rows": FilingRowsRequestSerializer,
                "upload": UploadSerializer}.get(self.action) or FilingSerializer

    def get_throttles(self):
        # reads, and the dry runs of a signed-in browser (the 表格编辑 grid checks the sheet as the user
        # types), count against the per-user budget only; saves and token clients' dry runs also against ``bulk``
        sheet_check = self.request.method == "POST" and is_dry_run(self.request) and self.request.auth is None
        if self.action == "rows" and (self.request.method != "POST" or sheet_check):
            return [t for t in super().get_throttles() if getattr(t, "scope", "") != "bulk"]
        return super().get_throttles()

    def retrieve(self, request, *args, **kwargs):
        filing = self.get_object()
        return self.with_etag(Response(self.detail_serializer_class(filing, context=self.get_serializer_context()).data),
                              filing.lock_version)

    def create(self, request, *args, **kwargs):
        serializer = FilingCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        started = timezone.now()
        filing = services.filing_open(actor=request.user, schedule=data["schedule"], period=data["period"],
                                      park=data.get("park"), branch=data.get("branch"))
        filing = self.get_queryset().get(pk=filing.pk)
        code = status.HTTP_201_CREATED if filing.created_at >= started else status.HTTP_200_OK
        return self.with_etag(Response(self.detail_serializer_class(filing, context=self.get_serializer_context()).data, status=code),
                              filing.lock_version)

    # --- rows ------------------------------------------------------------------------------------------

    @extend_schema(methods=["GET"], summary="报表的行（分页，含计算列）", responses=ROW_OUTPUT_PROXY, filters=False,
                   parameters=[OpenApiParameter("page", int, description="页码（从1起）"),
                               OpenApiParameter("page_size", int, description="每页条数（默认100，最多1000）")])
    @extend_schema(methods=["POST"], summary="整表提交行（批量新增/修改/删除，按自然键对应）",
                   parameters=[DRY_RUN_PARAMETER, IF_MATCH], request=FilingRowsRequestSerializer, filters=False,
                   responses={200: ImportSummarySerializer, 400: ImportSummarySerializer,
                              409: OpenApiResponse(ErrorSerializer, description="lock_version 不一致：报表已被他人修改"),
                              428: LOCK_REQUIRED})
    @action(detail=True, methods=["get", "post"], url_path="rows", filter_backends=[], parser_classes=[LazyBulkJSONParser])
    def rows(self, request, pk=None):
        """POST the full row set: 附表1 rows keyed by ``uscc``, 附表5 rows keyed by ``park_code``,
        附表4 exactly one record (its columns and the six 推进情况 texts), with the ``lock_version``
        it replaces (body or ``If-Match``; without either: 428). Rows not sent are deleted;
        re-sending the same body changes nothing. ``?dry_run=1`` checks and counts without saving.
        One invalid row saves nothing; the answer lists every error with its row, field, code and
        message."""
        filing = self.get_object()
        if request.method == "GET":
            serializer = ROW_SERIALIZERS.get(filing.schedule)
            rows = row_values(filing, selectors.filing_row_values) if serializer else []
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(serializer(page, many=True).data if serializer else [])
        return self._rows_save(request, filing)

    @gc_paused()  # a bulk path: thousands of rows alive till the end (portal.gcpause)
    def _rows_save(self, request, filing: Filing) -> Response:
        if not access.can(request.user, access.CHANGE, filing):
            raise PermissionDenied("您没有权限修改此报表。")
        schedule = SCHEDULES.get(filing.schedule)
        if schedule is None:
            raise ApiError(f"{filing.get_schedule_display()}由系统生成，不能提交行数据。", code="not_editable", status_code=400)
        dry_run = is_dry_run(request)
        body = request.data
        known = (resend.body_recall(schedule=filing.schedule, body_digest=body.digest)
                 if isinstance(body, BulkBody) and schedule.multi_row and not dry_run else None)
        result = self._rows_resent(request, filing, known) if known else None
        api_errors: list[dict[str, Any]] = []
        if result is None:
            result, api_errors = self._rows_run(request, filing, schedule, request_body(request), dry_run)
        return self._rows_answer(filing, result, api_errors, dry_run)

    def _rows_resent(self, request, filing: Filing, known: resend.KnownBody) -> services.SaveResult | None:
        """The very bytes of a body already checked (``resend.body_recall``): the answer of its row set
        from the cache when nothing moved (``services.filing_rows_unchanged``), else None. The
        version is asked for as for any save (428 / 400 alike)."""
        self.require_lock_version(self.lock_version(request, known.lock_version))
        if not _has_stored_rows(filing):
            return None
        return services.filing_rows_unchanged(actor=request.user, filing=filing, sent=known.sent)

    def _rows_run(self, request, filing: Filing, schedule, data: Any, dry_run: bool) -> tuple[services.SaveResult, list[dict[str, Any]]]:
        if isinstance(data, list):
            raw_rows, body_lock = data, None
        else:
            payload = FilingRowsRequestSerializer(data=data)
            payload.is_valid(raise_exception=True)
            raw_rows, body_lock = payload.validated_data["rows"], payload.validated_data.get("lock_version")
        expected = self.lock_version(request, body_lock)
        if not dry_run:
            self.require_lock_version(expected)
        rows, api_errors = rows_check(schedule_code=filing.schedule, rows=raw_rows)
        narrative = None
        if not schedule.multi_row:
            if len(rows) != 1:
                raise ApiError("附表4只有一条记录：rows 应恰好包含1个对象。", code="invalid", status_code=400,
                               errors=[{"field": "rows", "code": "one_record", "message": f"应为1个对象，实际为{len(rows)}个"}])
            narrative, narrative_errors = narrative_split(row=rows[0])
            api_errors += narrative_errors
        sent = resend.Sent.of(rows) if schedule.multi_row and not api_errors and not dry_run else None
        if sent and isinstance(request.data, BulkBody):  # these bytes, sent again, need no parsing
            resend.body_remember(schedule=filing.schedule, body_digest=request.data.digest, known=resend.KnownBody(sent, body_lock))

        def run(dry: bool, lock: int | None = expected, unless_unchanged: bool = False) -> services.SaveResult:
            if schedule.multi_row:
                return services.filing_rows_replace(actor=request.user, filing=filing, raw_rows=rows, expected_lock_version=lock,
                                                    dry_run=dry, unless_unchanged=unless_unchanged, sent=sent)
            return services.filing_t4_save(actor=request.user, filing=filing, raw_values=rows[0], narrative=narrative,
                                           expected_lock_version=lock, dry_run=dry)

        if api_errors or dry_run:
            result = run(True)
        elif not _has_stored_rows(filing):
            result = run(False)
        elif schedule.multi_row:
            # would the save change anything at all? A re-send of the body saved last: from the cache;
            # else one validation under the row lock that writes only when something changes
            result = (sent and services.filing_rows_unchanged(actor=request.user, filing=filing, sent=sent)
                      or run(False, unless_unchanged=True))
        else:
            probe = run(True, lock=None)
            nothing = probe.created == probe.updated == probe.deleted == 0 and not _narrative_changed(filing, narrative)
            result = probe if nothing and not probe.errors else run(False)
        return result, api_errors

    def _rows_answer(self, filing: Filing, result: services.SaveResult, api_errors: list[dict[str, Any]], dry_run: bool) -> Response:
        issues = [_issue(d) for d in result.issue_dicts()]
        errors = sorted(api_errors + [i for i, d in zip(issues, result.issues) if d.is_error], key=lambda e: (e["row"] or 0))
        warnings = [i for i, d in zip(issues, result.issues) if not d.is_error]
        lock_version = Filing.objects.filter(pk=filing.pk).values_list("lock_version", flat=True).first()
        answer = {
            "saved": result.saved, "dry_run": dry_run, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "deleted": result.deleted, "lock_version": lock_version,
            "errors": errors, "warnings": warnings,
            "message": summary_message(saved=result.saved, dry_run=dry_run, errors=len(errors), created=result.created,
                                       updated=result.updated, unchanged=result.unchanged, deleted=result.deleted),
        }
        if errors:
            return Response({"code": "invalid_rows", **answer}, status=status.HTTP_400_BAD_REQUEST)
        return self.with_etag(Response(answer), lock_version)

    # --- xlsx upload -------------------------------------------------------------------------------------

    @extend_schema(summary="上传 xlsx（平台模板或含正式表头的表格）", request={"multipart/form-data": UploadSerializer},
                   parameters=[IF_MATCH],
                   responses={200: ImportJobSerializer, 202: ImportJobSerializer, 400: ErrorSerializer, 428: LOCK_REQUIRED},
                   filters=False)
    @action(detail=True, methods=["post"], url_path="upload", parser_classes=[MultiPartParser, FormParser], filter_backends=[])
    def upload(self, request, pk=None):
        """Same path as the web upload: checked (size, zip bomb, xlsx only), parsed, saved all or
        nothing; like the rows POST it replaces every row, so it needs ``lock_version`` (form field)
        or ``If-Match`` (else 428). Large files are processed in the background: 202 with the job
        to poll at ``/api/v1/import-jobs/{id}/``."""
        filing = self.get_object()
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            upload_size_check(upload.size)
        except UploadRejected as exc:
            raise ApiError(exc.message, code="file_too_large", status_code=400) from None
        expected = self.lock_version(request, serializer.validated_data.get("lock_version"))
        self.require_lock_version(expected)
        job = imports.filing_upload(actor=request.user, filing=filing, name=upload.name or "upload.xlsx", data=upload.read(),
                                    expected_lock_version=expected)
        data = ImportJobSerializer(job).data
        if job.status == ImportJob.Status.PENDING:
            return Response(data, status=status.HTTP_202_ACCEPTED)
        if job.status == ImportJob.Status.FAILED:
            result = job.result or {}
            issues = [_issue({**i, "column": i.get("column")}) for i in result.get("issues", []) if i.get("level") == "error"]
            message = result.get("rejected") or f"文件有{len(issues)}个错误，未导入。"
            return Response({"code": "import_failed", "message": message, "errors": issues, "job": data},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(data)


@extend_schema_view(list=extend_schema(summary="导入任务列表"), retrieve=extend_schema(summary="导入任务（进度与结果）"))
class ImportJobViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ImportJob.objects.select_related("filing")
    serializer_class = ImportJobSerializer
    filterset_class = ImportJobFilterSet
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        visible = access.restrict(self.request.user, Filing.objects.all(), access.VIEW)
        return super().get_queryset().filter(filing__in=visible)


# --- summaries ------------------------------------------------------------------------------------------


# --- target results -----------------------------------------------------------------------------------------

