"""The workflow steps over the API: the filings endpoint with the steps the caller may take
(``actions``), the timeline (``transitions``) and one POST per step, each through
``workflow.perform`` (the transition table's guard) like the web buttons."""
from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from reports.filings.api.serializers import FilingCreateSerializer
from reports.filings.api.views import FilingViewSet as FilingRowsViewSet
from reports.filings.models import Filing
from reports.workflow import services as workflow
from reports.workflow.api.serializers import (
    FilingDetailSerializer,
    FilingWithActionsSerializer,
    WorkflowActionSerializer,
    WorkflowResultSerializer,
)
from reports.workflow.models import FilingTransition

STEPS = ("submit", "confirm", "approve", "return_", "amend", "reopen")


def _workflow_schema(summary: str, *, created: bool = False):
    code = 201 if created else 200
    return extend_schema(summary=summary, request=WorkflowActionSerializer, responses={code: WorkflowResultSerializer}, filters=False)


@extend_schema_view(
    list=extend_schema(summary="报表列表"),
    retrieve=extend_schema(summary="报表（含全部行及计算列）", responses=FilingDetailSerializer),
    create=extend_schema(summary="新建（或打开当前的）报表", request=FilingCreateSerializer,
                         responses={201: FilingDetailSerializer, 200: FilingDetailSerializer}),
)
class FilingViewSet(FilingRowsViewSet):
    detail_serializer_class = FilingDetailSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(Prefetch("transitions", queryset=FilingTransition.objects.select_related("actor", "actor_organisation")))
        return qs

    def get_serializer_class(self):
        return WorkflowActionSerializer if self.action in STEPS else super().get_serializer_class()

    def _step(self, request, action: str, done: str, *, created: bool = False) -> Response:
        """Take one workflow step through ``reports.workflow.perform`` (the transition table's guard)."""
        filing = self.get_object()
        serializer = WorkflowActionSerializer(data=request.data if isinstance(request.data, dict) else {})
        serializer.is_valid(raise_exception=True)
        comment = serializer.validated_data.get("comment", "")
        outcome = workflow.perform(action, actor=request.user, filing=filing, comment=comment)
        if isinstance(outcome, Filing):  # amend: the new version; reopen: the filing itself
            subject, affected = outcome, [outcome.pk]
        else:
            subject, affected = filing, [f.pk for f in outcome.filings]
        subject = self.get_queryset().get(pk=subject.pk)
        return Response({"message": done, "filing": FilingWithActionsSerializer(subject, context=self.get_serializer_context()).data,
                         "affected": affected}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @_workflow_schema("提交（填报机构）")
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        """The filer submits (附表4 and 附表5 of a bank travel together)."""
        return self._step(request, "submit", "已提交。")

    @_workflow_schema("确认转报（园区主办行）")
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        """The park's lead bank (主办行) confirms and forwards a park's 附表1/2."""
        return self._step(request, "confirm", "已确认转报。")

    @_workflow_schema("审核通过（属地银保监分局）")
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        return self._step(request, "approve", "已审核通过。")

    @_workflow_schema("退回（须填写意见）")
    @action(detail=True, methods=["post"], url_path="return", url_name="return", filter_backends=[])
    def return_(self, request, pk=None):
        return self._step(request, "return", "已退回。")

    @_workflow_schema("发起修订（审核通过后）", created=True)
    @action(detail=True, methods=["post"], filter_backends=[])
    def amend(self, request, pk=None):
        """Start version n+1 of an approved filing; the answer is the new draft."""
        return self._step(request, "amend", "已发起修订。", created=True)

    @_workflow_schema("重新打开（锁定日期后，监管部门；comment 为原因，必填）")
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request, pk=None):
        """After the period's lock date, the filing's reviewer reopens it for its filer (a logged exception)."""
        return self._step(request, "reopen", "已重新打开。")


