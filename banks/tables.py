import django_tables2 as tables

from banks.models import Institution
from portal.models import Organisation


class InstitutionTable(tables.Table):
    name = tables.Column(linkify=True)
    branch_count = tables.Column(verbose_name="地市一级管理机构数", orderable=True)

    class Meta:
        model = Institution
        fields = ("name", "short_name", "type", "branch_count", "is_active")


class BranchTable(tables.Table):
    name = tables.Column(linkify=True)
    institution = tables.Column(linkify=True, order_by="institution__name")
    region = tables.Column(verbose_name="所在地市", order_by="region__code")
    institution_type = tables.Column(verbose_name="机构类型", accessor="institution__get_type_display", order_by="institution__type")

    class Meta:
        model = Organisation
        fields = ("name", "institution", "institution_type", "region", "is_active")
