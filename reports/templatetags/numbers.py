"""The portal's one number display rule as template filters (``{% load numbers %}``); the rule itself
is ``reports.schedules.numbers`` — these only name it for templates:

    {{ v|amount }}          53,885,034.75 万元      {{ v|amount:"亿元" }}   5,388.50 亿元
    {{ v|amount:"" }}       53,885,034.75 (the unit is in the header)
    {{ v|count }}           12,345                  {{ v|count:"户" }}      12,345 户
    {{ v|pct }}             41.51%                  {{ v|rate }}           4.3500%
    {{ v|pp }}              −0.09 个百分点 (the change of a ratio or rate)
    {{ v|signed_amount:"亿元" }}  +533.74 亿元      {{ v|signed_pct }}      −9.81%
    {{ v|figure:kind }}     by a column's kind (amount, int, pct, rate, pp), as in the dashboards' tables

A missing value reads “—”; negatives carry a real minus sign “−”."""
from __future__ import annotations

from typing import Any

from django import template

from reports.schedules.numbers import amount_text, count_text, figure_text, pct_text, pp_text, rate_text

register = template.Library()


@register.filter
def amount(value: Any, unit: str = "万元") -> str:
    return amount_text(value, unit)


@register.filter
def signed_amount(value: Any, unit: str = "万元") -> str:
    return amount_text(value, unit, signed=True)


@register.filter
def count(value: Any, unit: str = "") -> str:
    return count_text(value, unit)


@register.filter
def pct(value: Any) -> str:
    return pct_text(value)


@register.filter
def signed_pct(value: Any) -> str:
    return pct_text(value, signed=True)


@register.filter
def rate(value: Any) -> str:
    return rate_text(value)


@register.filter
def pp(value: Any) -> str:
    return pp_text(value)


@register.filter
def figure(value: Any, kind: str = "amount") -> str:
    return figure_text(value, kind)
