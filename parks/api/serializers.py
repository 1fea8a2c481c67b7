"""Park registry serializers. Read serializers show the register; write serializers only validate
the input, which the views hand to ``parks.services`` (never ``save()`` here)."""
from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from parks.choices import EntityType, Industry
from parks.models import BrainReading, Enterprise, Park, PartnerLink, Tenancy
from portal.api.bulk import RawRowsField
from portal.api.serializers import OrganisationBriefSerializer, RegionBriefSerializer, ScopedPrimaryKeyRelatedField
from portal.choices import OrgKind, RegionLevel
from portal.models import Organisation, Region


class ParkBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Park
        fields = ["id", "code", "name"]


class EnterpriseBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "uscc", "name"]


# --- parks ------------------------------------------------------------------------------------

class ParkSerializer(serializers.ModelSerializer):
    county = RegionBriefSerializer(read_only=True)
    city_code = serializers.CharField(source="county.city_code", read_only=True, help_text="所在地市代码")
    operator = OrganisationBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Park
        fields = ["id", "code", "name", "county", "city_code", "operator", "manager", "batch", "star_rating",
                  "digital_status", "park_type", "area_mu", "status"]


class ParkWriteSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.filter(level=RegionLevel.COUNTY),
                                          help_text="所在县（市、区）行政区划代码，如 330106")
    operator = ScopedPrimaryKeyRelatedField(queryset=Organisation.objects.filter(kind=OrgKind.PARK_OPERATOR), required=False,
                                            allow_null=True, help_text="运营方机构 id")

    class Meta:
        model = Park
        fields = ["code", "name", "county", "operator", "manager", "batch", "star_rating", "digital_status", "park_type",
                  "area_mu", "status"]
        # area_mu ≥ 0 is the model field's validator (DRF turns it into min_value); only the wording is set here
        extra_kwargs = {"area_mu": {"error_messages": {"min_value": "占地面积不能为负数。"}}}


# --- enterprises ------------------------------------------------------------------------------

class EnterpriseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "uscc", "name", "entity_type", "industry"]


class EnterpriseWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["name", "entity_type", "industry"]


# --- tenancies --------------------------------------------------------------------------------

class InForceMixin(serializers.Serializer):
    """``is_current``: whether the record is in force today, by the model's one rule
    (``objects.in_force``); lists annotate it (``annotate_in_force``), a single record asks."""

    @extend_schema_field(serializers.BooleanField())
    def get_is_current(self, obj) -> bool:
        flag = getattr(obj, "in_force", None)
        if flag is None:
            flag = type(obj).objects.in_force(on=timezone.localdate()).filter(pk=obj.pk).exists()
        return flag


class TenancySerializer(InForceMixin, serializers.ModelSerializer):
    park = ParkBriefSerializer(read_only=True)
    enterprise = EnterpriseBriefSerializer(read_only=True)
    is_current = serializers.SerializerMethodField(help_text="今日是否在园")

    class Meta:
        model = Tenancy
        fields = ["id", "park", "enterprise", "entered_on", "left_on", "is_current"]



class TenancyCreateSerializer(serializers.Serializer):
    """入园: the enterprise is found by 统一社会信用代码, or registered with the name and industry."""

    park = ScopedPrimaryKeyRelatedField(queryset=Park.objects.all(), help_text="园区 id（须为本机构运营的园区）")
    uscc = serializers.CharField(max_length=30, help_text="统一社会信用代码")
    enterprise_name = serializers.CharField(max_length=100, help_text="企业名称（新企业登记时使用）")
    industry = serializers.ChoiceField(choices=Industry.choices, help_text="所属行业（GB/T 4754-2017 门类）")
    entity_type = serializers.ChoiceField(choices=EntityType.choices, required=False, allow_blank=True)
    entered_on = serializers.DateField(help_text="入园日期")
    left_on = serializers.DateField(required=False, allow_null=True, help_text="退园日期")


class TenancyUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenancy
        fields = ["entered_on", "left_on"]


# --- partner links ----------------------------------------------------------------------------

class PartnerLinkSerializer(InForceMixin, serializers.ModelSerializer):
    park = ParkBriefSerializer(read_only=True)
    branch = OrganisationBriefSerializer(read_only=True)
    is_current = serializers.SerializerMethodField(help_text="今日是否有效（已确认且在建立日期与终止日期之间）")

    class Meta:
        model = PartnerLink
        fields = ["id", "park", "branch", "role", "sub_branch", "since", "until", "status", "proposed_at", "decided_at",
                  "decision_note", "is_current"]



class PartnerLinkWriteSerializer(serializers.ModelSerializer):
    park = ScopedPrimaryKeyRelatedField(queryset=Park.objects.all(), help_text="园区 id（本机构所在地市的园区）")

    class Meta:
        model = PartnerLink
        fields = ["park", "role", "sub_branch", "since", "until"]
        validators: list = []  # one open link per park and bank: checked by parks.services with a clear message


class PartnerLinkDecisionSerializer(serializers.Serializer):
    """Confirm / reject (a reason is required) / end (an end date is required) a partner link."""

    note = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="意见或理由")
    until = serializers.DateField(required=False, help_text="终止日期（仅终止时填写）")


class PartnerLinkCreateSerializer(PartnerLinkWriteSerializer):
    branch = ScopedPrimaryKeyRelatedField(queryset=Organisation.objects.filter(kind=OrgKind.BANK_BRANCH), required=False,
                                          allow_null=True, help_text="仅系统管理员填写：代为建立关系的银行机构 id；其他用户总是本机构")

    class Meta(PartnerLinkWriteSerializer.Meta):
        fields = ["park", "branch", "role", "sub_branch", "since", "until"]


# --- 园区大脑 readings ------------------------------------------------------------------------

class BrainReadingSerializer(serializers.ModelSerializer):
    park = ParkBriefSerializer(read_only=True)
    enterprise = EnterpriseBriefSerializer(read_only=True)
    month = serializers.DateField(format="%Y-%m", read_only=True, help_text="月份（YYYY-MM）")
    pushed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = BrainReading
        fields = ["id", "park", "enterprise", "month", "electricity_kwh", "water_t", "gas_m3", "equipment_hours",
                  "pushed_by", "pushed_at"]


@extend_schema_field({"oneOf": [{"type": "number", "minimum": 0}, {"type": "string"}], "nullable": True})
class ReadingValueField(serializers.Field):
    """A raw reading as sent (number or numeric text); ``parks.services`` parses and checks it."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class BrainReadingInputSerializer(serializers.Serializer):
    """One reading as pushed: 统一社会信用代码, month ``YYYY-MM`` and any of the four readings."""

    uscc = serializers.CharField(help_text="统一社会信用代码（须为本园区在园企业）")
    month = serializers.CharField(help_text="月份，格式 YYYY-MM，如 2020-07")
    electricity_kwh = ReadingValueField(required=False, help_text="用电量（千瓦时）")
    water_t = ReadingValueField(required=False, help_text="用水量（吨）")
    gas_m3 = ReadingValueField(required=False, help_text="用气量（立方米）")
    equipment_hours = ReadingValueField(required=False, help_text="设备运行时长（小时）")


@extend_schema_field(BrainReadingInputSerializer(many=True))
class ReadingRowsField(RawRowsField):
    pass


class BrainReadingPushSerializer(serializers.Serializer):
    readings = ReadingRowsField(help_text="读数行；以（统一社会信用代码, 月份）为键新增或更新，未提交的字段保持原值")
