from __future__ import annotations

import django_filters

from portal.api.filters import CodeOrIdFilter
from reports.filings.models import Period
from reports.targets.models import Target, TargetResult, TargetSet


class TargetResultFilterSet(django_filters.FilterSet):
    period = CodeOrIdFilter(field_name="period", queryset=Period.objects.all(), public=True, what="报送期", label="报送期：编码（如 2020Q4）或 id")
    target = CodeOrIdFilter(field_name="target", queryset=Target.objects.all(), public=True, what="目标", label="目标：编号（如 ZJ2020-02）或 id")
    target_set = CodeOrIdFilter(field_name="target__target_set", queryset=TargetSet.objects.all(), public=True, what="目标组", label="目标组：编号或 id")
    scope_kind = django_filters.ChoiceFilter(choices=TargetResult._meta.get_field("scope_kind").choices, label="范围类别")
    scope_code = django_filters.CharFilter(field_name="scope_code", label="范围代码")
    status = django_filters.ChoiceFilter(choices=TargetResult.Status.choices, label="状态")
    official = django_filters.BooleanFilter(field_name="is_official", label="仅目标口径")

    class Meta:
        model = TargetResult
        fields = ["period", "target", "target_set", "scope_kind", "scope_code", "status", "official"]
