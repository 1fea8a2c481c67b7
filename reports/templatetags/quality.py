"""``{% load quality %}``: ``{{ filing.issues|quality_count }}`` — how many of a filing's stored
warnings are quality edits against history (``reports.filings.quality``)."""
from __future__ import annotations

from typing import Any

from django import template

from reports.filings.quality import quality_count as _count

register = template.Library()


@register.filter
def quality_count(issues: Any) -> int:
    return _count(issues or [])
