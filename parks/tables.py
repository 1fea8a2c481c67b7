import django_tables2 as tables

from parks.models import Enterprise, Park, PartnerLink, Tenancy


class ParkTable(tables.Table):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    city = tables.Column(verbose_name="地市", accessor="county__parent__name", order_by="county__code")
    county = tables.Column(order_by="county__code")

    class Meta:
        model = Park
        fields = ("code", "name", "city", "county", "batch", "star_rating", "digital_status", "park_type", "operator", "status")
        order_by = "code"


class EnterpriseTable(tables.Table):
    uscc = tables.Column(linkify=True)
    name = tables.Column(linkify=True)

    class Meta:
        model = Enterprise
        fields = ("uscc", "name", "entity_type", "industry")


class TenancyTable(tables.Table):
    enterprise = tables.Column(linkify=True, order_by="enterprise__name")
    uscc = tables.Column(verbose_name="统一社会信用代码", accessor="enterprise__uscc")
    park = tables.Column(linkify=True, order_by="park__code")
    detail = tables.LinkColumn("parks:tenancy_detail", args=[tables.A("pk")], text="查看", orderable=False, verbose_name="")

    class Meta:
        model = Tenancy
        fields = ("enterprise", "uscc", "park", "entered_on", "left_on")


class PartnerLinkTable(tables.Table):
    park = tables.Column(linkify=True, order_by="park__code")
    park_code = tables.Column(verbose_name="园区编码", accessor="park__code")
    branch = tables.Column(order_by="branch__name")
    detail = tables.LinkColumn("parks:partnerlink_detail", args=[tables.A("pk")], text="查看", orderable=False, verbose_name="")

    class Meta:
        model = PartnerLink
        fields = ("park_code", "park", "branch", "role", "sub_branch", "since", "until", "status")
