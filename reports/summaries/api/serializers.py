from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from parks.api.serializers import ParkBriefSerializer
from portal.api.serializers import RegionBriefSerializer
from portal.models import Region
from reports.filings.models import T2Summary
from reports.filings.selectors import t2_stale
from reports.schedules.t2 import FIGURES
from reports.summaries.models import Summary


class ParkSummaryListSerializer(serializers.ListSerializer):
    """Works out ``stale`` for a whole page of 附表2 at once (selectors.t2_stale: three queries)."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        self.child.context["_t2_stale"] = t2_stale(items)
        return super().to_representation(items)


class ParkSummarySerializer(serializers.ModelSerializer):
    """附表2 of one park and period (computed from its T1 on every save, and again on every change
    of the park's register)."""

    park = ParkBriefSerializer(read_only=True)
    period = serializers.SlugRelatedField(slug_field="code", read_only=True)
    county = RegionBriefSerializer(read_only=True)
    built_at = serializers.DateTimeField(source="computed_at", read_only=True, help_text="计算时间")
    stale = serializers.SerializerMethodField(help_text=(
        "是否待更新：园区登记信息（入园/退园、伙伴银行关系）在本表计算之后有变更记录，"
        "或本表已审核通过而所在地市的汇总已请求更新、尚未重算完成（附表3及看板仍为旧数）"))

    class Meta:
        model = T2Summary
        fields = ["id", "filing", "park", "period", "county", "star_rating", "batch", "digital_status",
                  *[c.key for c in FIGURES], "built_at", "stale"]
        list_serializer_class = ParkSummaryListSerializer

    @extend_schema_field(serializers.BooleanField())
    def get_stale(self, obj: T2Summary) -> bool:
        known = self.context.get("_t2_stale")
        if known is None or obj.pk not in known:
            known = t2_stale([obj])
        return known[obj.pk] is not None


class SummarySerializer(serializers.ModelSerializer):
    """A city's (附表3 and its banks' 附表4/5 totals) or the province's roll-up, built from
    approved filings by a background job."""

    period = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.SerializerMethodField(help_text="地区名称")
    stale = serializers.BooleanField(source="is_stale", read_only=True, help_text="是否有更新排队中（显示“更新中…”）")
    data = serializers.JSONField(read_only=True, help_text="汇总数据（各县/地市、星级分组、附表4合计等）")
    source_versions = serializers.JSONField(read_only=True, help_text="来源报表 id → 版本")

    class Meta:
        model = Summary
        fields = ["id", "scope", "code", "name", "period", "built_at", "stale", "builds", "build_ms", "source_versions", "data"]

    @extend_schema_field(serializers.CharField())
    def get_name(self, obj: Summary) -> str:
        names = self.context.setdefault("_region_names", {})
        if obj.code not in names:
            names[obj.code] = Region.objects.filter(code=obj.code).values_list("name", flat=True).first() or obj.code
        return names[obj.code]


