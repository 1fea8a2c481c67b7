"""Serializers for the portal's own registry (regions, organisations, the current user) and the
building blocks every app's API uses. Serializers only read and validate: every write goes
through a service function called by the view."""
from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal import access
from portal.api.filters import MAX_ID
from portal.api.tokens import token_is_read_only, token_name
from portal.models import Organisation, Region, User


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key given by id, looked up only among the rows the user may see (an id outside
    the user's scope reads as "does not exist")."""

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()
        request = self.context.get("request")
        return access.restrict(request.user if request else None, qs, access.VIEW)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or (isinstance(data, int) and not 0 <= data <= MAX_ID):
            self.fail("incorrect_type" if isinstance(data, bool) else "does_not_exist", data_type=type(data).__name__, pk_value=data)
        if isinstance(data, str) and not re.fullmatch(r"\s*[0-9]{1,19}\s*", data):
            self.fail("incorrect_type", data_type="str")
        if isinstance(data, str) and int(data) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="上级行政区划代码")

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "province_code", "city_code", "separately_planned"]


class RegionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name"]


class OrganisationSerializer(serializers.ModelSerializer):
    region = RegionBriefSerializer(read_only=True)
    institution_name = serializers.SerializerMethodField(help_text="所属法人机构简称（银行保险机构）")

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "region", "institution", "institution_name", "separately_planned",
                  "contact_name", "contact_phone", "is_active"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_institution_name(self, obj: Organisation) -> str | None:
        return obj.institution.short_name if obj.institution_id else None


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class TokenInfoSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="令牌名称")
    token_key = serializers.CharField(help_text="令牌前缀（用于辨认，不是令牌本身）")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True, help_text="到期时间")
    read_only = serializers.BooleanField(help_text="只读令牌：只能查询，不能提交、修改或推送")


class MeSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    organisation = OrganisationSerializer(read_only=True, allow_null=True)
    token = serializers.SerializerMethodField(help_text="本次请求使用的令牌；浏览器会话为空")

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role", "is_superuser", "organisation", "token"]

    @extend_schema_field(TokenInfoSerializer(allow_null=True))
    def get_token(self, obj: User) -> dict[str, Any] | None:
        request = self.context.get("request")
        token = getattr(request, "auth", None) if request else None
        if token is None or not hasattr(token, "token_key"):
            return None
        return TokenInfoSerializer({"name": token_name(token), "token_key": token.token_key, "created": token.created,
                                    "expiry": token.expiry, "read_only": token_is_read_only(token)}).data
