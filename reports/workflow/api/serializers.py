from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.filings.api.serializers import FilingRowsDetailSerializer, FilingSerializer
from reports.filings.models import Filing
from reports.workflow.models import FilingTransition
from reports.workflow.services import filing_actions_for


class FilingWithActionsSerializer(FilingSerializer):
    """A filing with the workflow steps the current user may take on it now (one filing at a time:
    working them out reads the park's lead bank and the filing's history)."""

    actions = serializers.SerializerMethodField(help_text="当前用户现在可执行的流程操作")

    class Meta(FilingSerializer.Meta):
        fields = FilingSerializer.Meta.fields + ["actions"]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=FilingTransition.Action.choices)))
    def get_actions(self, obj: Filing) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [str(a) for a in filing_actions_for(user=request.user, filing=obj)]


class FilingTransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    actor_organisation = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)

    class Meta:
        model = FilingTransition
        fields = ["action", "from_status", "to_status", "actor", "actor_organisation", "at", "comment"]


class FilingDetailSerializer(FilingWithActionsSerializer, FilingRowsDetailSerializer):
    """A filing with its rows, the steps the current user may take now and its timeline."""

    transitions = FilingTransitionSerializer(many=True, read_only=True)

    class Meta(FilingSerializer.Meta):
        fields = FilingSerializer.Meta.fields + ["actions", "issues", "rows", "transitions"]


class WorkflowActionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="意见（退回时必填）")


class WorkflowResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    filing = FilingWithActionsSerializer(help_text="操作后的报表（发起修订时为新版本）")
    affected = serializers.ListField(child=serializers.IntegerField(), help_text="一并流转的报表 id（附表4、附表5同时报送）")

