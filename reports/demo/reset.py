"""Whether demo data is there, what a build would collide with, and wiping it."""
from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from axes.models import AccessAttempt
from django.db import connection, models, transaction
from django.db.models import Q

from banks.models import Institution
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.models import Organisation, User
from reports.demo.catalogue import DEMO_USERNAMES
from reports.demo.helpers import write
from reports.filings.models import Filing, ImportJob, T1Row, T2Summary, T4Record, T5Row
from reports.summaries.models import ReminderLog, Summary
from reports.targets.models import TargetResult
from reports.workflow.models import FilingTransition

# The reports data the demo fills, children first (periods stay: a data migration made them).
REPORTS_MODELS: tuple[type[models.Model], ...] = (
    ImportJob, FilingTransition, T1Row, T2Summary, T4Record, T5Row, Filing, Summary, ReminderLog, TargetResult,
)
# The registries the demo fills, children first.
REGISTER_MODELS: tuple[type[models.Model], ...] = (PartnerLink, Tenancy, Enterprise, Park, Organisation, Institution)


def demo_exists() -> bool:
    """Whether the database already holds parks (demo or real)."""
    return Park.objects.exists()


def demo_conflicts() -> list[str]:
    """Registries that already have rows although there is no park (a build would collide with them)."""
    found = []
    for model in (Institution, Organisation, Enterprise):
        if model.objects.exists():
            found.append(str(model._meta.verbose_name))
    return found


def _is_historical(model: type[models.Model]) -> bool:
    return getattr(model, "instance_type", None) is not None  # simple-history's Historical* models


def _clear_references(targets: Iterable[type[models.Model]]) -> None:
    """Other apps' rows pointing at the wiped registries (e.g. reports): null them or delete them,
    as their ``on_delete`` says (PROTECT/RESTRICT rows are deleted too: they are demo data)."""
    targets = tuple(targets)
    for model in targets:
        for rel in model._meta.get_fields(include_hidden=True):
            if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
                continue
            dependent = rel.related_model
            if dependent in targets or dependent is User or _is_historical(dependent):
                continue
            field = rel.field
            rows = dependent._base_manager.filter(**{f"{field.name}__isnull": False})
            if rel.on_delete is models.SET_NULL:
                rows.update(**{field.name: None})
            elif rel.on_delete is not models.DO_NOTHING:
                rows.delete()


def _delete_all(tables: Iterable[type[models.Model]]) -> None:
    """Plain DELETE: fast for the ledger rows, no per-row signals, no history rows."""
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def demo_reset(*, stdout: IO[str] | None = None) -> None:
    """Delete the reports data (filings and their rows, import jobs; not the periods), the
    registries the demo fills (partner links, tenancies, enterprises, parks, organisations,
    institutions), every non-superuser and the demo logins. Historical tables stay."""
    with transaction.atomic():
        _clear_references(REPORTS_MODELS)
        _delete_all(REPORTS_MODELS)
        User.objects.filter(Q(is_superuser=False) | Q(username__in=DEMO_USERNAMES)).delete()
        User.objects.filter(organisation__isnull=False).update(organisation=None)
        _clear_references(REGISTER_MODELS)
        _delete_all(REGISTER_MODELS)
        AccessAttempt.objects.filter(username__in=DEMO_USERNAMES).delete()
    write(stdout, "已清除原有演示数据。")
