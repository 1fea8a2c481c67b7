from __future__ import annotations

from rest_framework import serializers

from reports.targets.models import TargetResult


class TargetResultSerializer(serializers.ModelSerializer):
    """A target's result for one scope at one period, stored after each roll-up."""

    target = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="目标编号")
    target_name = serializers.CharField(source="target.name", read_only=True)
    target_set = serializers.CharField(source="target.target_set.code", read_only=True, help_text="目标组编号")
    unit = serializers.CharField(source="target.unit", read_only=True)
    period = serializers.SlugRelatedField(slug_field="code", read_only=True)
    built_at = serializers.DateTimeField(source="computed_at", read_only=True, help_text="计算时间")

    class Meta:
        model = TargetResult
        fields = ["id", "target", "target_name", "target_set", "period", "scope_kind", "scope_code", "scope_label", "ningbo",
                  "is_official", "actual", "threshold", "basis", "gap", "pace", "quarters_left", "unit", "status", "note",
                  "built_at"]
