"""Filters shared by the API filtersets."""
from __future__ import annotations

import django_filters
from django import forms

from portal import access
from portal.models import Region

MAX_ID = 2**63 - 1  # the largest primary key any database here stores


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in the database's range (anything else is a clear 400, never a
    database overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class CodeOrIdField(forms.CharField):
    """The form field of :class:`CodeOrIdFilter`: the object named by its code (``2020Q4``,
    ``330100``, ``ZJ2020-02``) or, failing that, by its id (``8``); an unknown value is invalid."""

    default_error_messages = {"invalid": "没有编码或 id 为“%(value)s”的%(what)s。"}

    def __init__(self, *args, queryset=None, code_field: str = "code", what: str = "记录", **kwargs):
        self.queryset, self.code_field, self.what = queryset, code_field, what
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        found = self.queryset.filter(**{self.code_field: value}).first()
        if found is None and value.isdigit() and int(value) <= MAX_ID:
            found = self.queryset.filter(pk=int(value)).first()
        if found is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value[:40], "what": self.what})
        return found


class CodeOrIdFilter(django_filters.Filter):
    """A foreign key named by its code or its id: ``?period=2020Q4`` and ``?period=8`` give the
    same list, ``?period=nonsense`` is a 400 naming the field (never an empty page).

    ``queryset`` is where the value is looked up (by ``code_field`` first, then by id when the
    value is a whole number) — narrowed by ``portal.access.restrict`` to what the request's user
    may read, so a park or city the user cannot read is the same 400 "unknown" as one that does
    not exist (the answer never tells which exists); ``public=True`` for what everybody reads
    (periods, targets); ``readable=`` when a list names what its readers see through it (a partner
bank names the parks of its reconciliation items, not only the parks it may open). The list is filtered on ``field_name`` equal to the found object's
    ``to_field`` (its primary key by default; e.g. ``to_field="code"`` for a region stored by
    code). With ``method=`` the method receives the found object."""

    field_class = CodeOrIdField

    def __init__(self, *args, queryset, code_field: str = "code", to_field: str = "pk", what: str = "记录", public: bool = False,
                 readable=None, **kwargs):
        self.to_field, self.public = to_field, public
        self.readable = readable or access.restrict  # (user, queryset) → what the user may name
        kwargs.update(queryset=queryset, code_field=code_field, what=what)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        """The form field, its look-up narrowed to the request's user (none without a request)."""
        if not hasattr(self, "_field"):
            field = super().field
            if not self.public:
                request = getattr(getattr(self, "parent", None), "request", None)
                user = getattr(request, "user", None)
                field.queryset = self.readable(user, field.queryset) if user is not None else field.queryset.none()
        return self._field

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{self.field_name: getattr(value, self.to_field)})


def region_filter(field_name: str, label: str, **kwargs) -> CodeOrIdFilter:
    """A region (地市, 县) by its 6-digit code or its id, compared by code (``county__city_code``)."""
    return CodeOrIdFilter(field_name=field_name, queryset=Region.objects.all(), to_field="code", what="行政区划", label=label, **kwargs)
