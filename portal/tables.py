import django_tables2 as tables

from portal.models import Organisation, Region


class RegionTable(tables.Table):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    parent = tables.Column(order_by="parent__code")

    class Meta:
        model = Region
        fields = ("code", "name", "level", "parent", "separately_planned")


class OrganisationTable(tables.Table):
    name = tables.Column(linkify=True)
    region = tables.Column(order_by="region__code")

    class Meta:
        model = Organisation
        fields = ("name", "kind", "region", "institution", "separately_planned", "is_active")
