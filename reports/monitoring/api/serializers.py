from __future__ import annotations

from rest_framework import serializers

from reports.monitoring.models import ReconciliationComment, ReconciliationItem, RiskSignal


class ReconciliationCommentSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", default="", read_only=True)
    author = serializers.CharField(source="author.username", default="", read_only=True)

    class Meta:
        model = ReconciliationComment
        fields = ["id", "organisation", "author", "text", "created_at"]


class ReconciliationItemSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code", read_only=True)
    park_code = serializers.CharField(source="park.code", read_only=True)
    park_name = serializers.CharField(source="park.name", read_only=True)
    bank = serializers.CharField(source="branch.name", read_only=True)
    figure_label = serializers.CharField(source="get_figure_display", read_only=True)
    comments = ReconciliationCommentSerializer(many=True, read_only=True)

    class Meta:
        model = ReconciliationItem
        fields = ["id", "period", "park", "park_code", "park_name", "branch", "bank", "figure", "figure_label", "park_value", "park_value_max",
                  "bank_value", "difference", "is_open", "t1_filing", "t5_filing", "first_seen_at", "computed_at", "comments"]


class CommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=1000, label="说明")


class RiskSignalSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    park_code = serializers.CharField(source="park.code", read_only=True)
    park_name = serializers.CharField(source="park.name", read_only=True)
    bank = serializers.CharField(source="branch.name", default="", read_only=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", default="", read_only=True)

    class Meta:
        model = RiskSignal
        fields = ["id", "enterprise", "enterprise_name", "uscc", "park", "park_code", "park_name", "month", "kwh", "kwh_last_year",
                  "drop", "previous_drop", "loan_balance", "credit_amount", "main_bank", "lending_bank_count", "branch", "bank",
                  "t1_filing", "is_active", "acknowledged_at", "acknowledged_by", "note", "computed_at"]


class AcknowledgeInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, label="确认说明")
