from __future__ import annotations

import django_filters

from reports.targets.models import TargetResult


class TargetResultFilterSet(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period__code", label="报送期，如 2020Q4")
    target = django_filters.CharFilter(field_name="target__code", label="目标编号，如 ZJ2020-02")
    target_set = django_filters.CharFilter(field_name="target__target_set__code", label="目标组编号")
    scope_kind = django_filters.ChoiceFilter(choices=TargetResult._meta.get_field("scope_kind").choices, label="范围类别")
    scope_code = django_filters.CharFilter(field_name="scope_code", label="范围代码")
    status = django_filters.ChoiceFilter(choices=TargetResult.Status.choices, label="状态")
    official = django_filters.BooleanFilter(field_name="is_official", label="仅目标口径")

    class Meta:
        model = TargetResult
        fields = ["period", "target", "target_set", "scope_kind", "scope_code", "status", "official"]
