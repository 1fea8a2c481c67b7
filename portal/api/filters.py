"""Filters shared by the API filtersets."""
from __future__ import annotations

import django_filters
from django import forms

MAX_ID = 2**63 - 1  # the largest primary key any database here stores


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in the database's range (anything else is a clear 400, never a
    database overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
