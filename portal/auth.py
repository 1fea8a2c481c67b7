"""The authentication backend: the request's user with its organisation and the organisation's region
in one query (what ``portal.access`` reads: no further query per request), its SQL compiled once per
process and database (compiling a three-table ``select_related`` costs more than running it)."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.db.models.query import get_related_populators

from portal.models import User

USER_RELATED = "organisation__region"


class _CompiledUserQuery:
    """``User.objects.select_related(USER_RELATED).filter(pk=…)``, compiled once: the SQL, the
    selected columns and how rows become a user with its organisation and region (as Django's
    ``ModelIterable`` makes them), reused with another pk."""

    def __init__(self, using: str) -> None:
        qs = User._default_manager.db_manager(using).select_related(USER_RELATED).filter(pk=0)
        self.compiler = qs.query.get_compiler(using=using)
        self.sql, params = self.compiler.as_sql()  # fills the compiler's select and klass_info
        if list(params) != [0]:
            raise RuntimeError(f"the user query has parameters {params!r}, expected the pk alone")
        klass_info, select = self.compiler.klass_info, self.compiler.select
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start:self.end]]
        self.populators = get_related_populators(klass_info, select, using)
        self.converters = self.compiler.get_converters([col for col, *_ in select[:self.compiler.col_count]])
        self.using = using

    def get(self, pk: Any) -> User | None:
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, [pk])
            rows = cursor.fetchall()
        if self.converters:  # the fields' own conversions (e.g. SQLite's datetimes)
            rows = self.compiler.apply_converters(rows, self.converters)
        for row in rows:
            user = User.from_db(self.using, self.init_list, row[self.start:self.end])
            for populator in self.populators:
                populator.populate(row, user)
            return user
        return None


_compiled: dict[str, _CompiledUserQuery] = {}


def user_with_organisation(*, pk: Any) -> User | None:
    """The user ``pk`` with its organisation and region loaded (None if there is none)."""
    using = User._default_manager.db
    query = _compiled.get(using)
    if query is None:
        query = _compiled[using] = _CompiledUserQuery(using)
    return query.get(User._meta.pk.to_python(pk))


class PortalModelBackend(ModelBackend):
    """ModelBackend that loads the user with its organisation and region in one query,
    so that the access module never costs extra queries per request."""

    def get_user(self, user_id):
        user = user_with_organisation(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
