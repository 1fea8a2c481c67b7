"""Figures a regulator can sign.

1. ``T1Row.multi_bank``: the row's 垒小户 flag (浙银保监发〔2020〕15号 二(七): a 个体工商户 served by more
   than 2 banks, any other enterprise with 0 < 单户授信 ≤ 1000万元 by more than 3), computed on save by
   ``reports.schedules.t1.multi_bank``. Existing rows are flagged by one UPDATE (the condition is
   written out here because a migration must not import the app's code), then every 附表2's
   ``multi_bank_count`` is recounted from the flags by one UPDATE with a subquery. City and province
   summaries are JSON built by the roll-ups: run ``manage.py rebuild_summaries`` after migrating.
2. ``Filing.days_late`` is judged on the subject's FIRST submission for the period, across versions
   (an amendment or a resubmission after a return keeps its own ``submitted_at`` but never turns an
   on-time filing late): recomputed from the earliest 提交 transition of each subject (the 2018Q4
   baseline, filed with 2019Q2 by design, is left alone).
"""
import datetime as dt

from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce


def flag_multi_bank(apps, schema_editor):
    T1Row = apps.get_model("reports", "T1Row")
    T2Summary = apps.get_model("reports", "T2Summary")
    individual = Q(entity_type="individual")
    T1Row.objects.filter((individual & Q(lending_bank_count__gt=2))
                         | (~individual & Q(credit_amount__gt=0, credit_amount__lte=1000, lending_bank_count__gt=3))
                         ).update(multi_bank=True)
    flagged = (T1Row.objects.filter(filing_id=OuterRef("filing_id"), multi_bank=True).order_by()
               .values("filing_id").annotate(n=Count("pk")).values("n"))
    T2Summary.objects.update(multi_bank_count=Coalesce(Subquery(flagged, output_field=IntegerField()), Value(0)))


def first_submission_days_late(apps, schema_editor):
    from django.conf import settings
    from zoneinfo import ZoneInfo

    Filing = apps.get_model("reports", "Filing")
    FilingTransition = apps.get_model("reports", "FilingTransition")
    tz = ZoneInfo(settings.TIME_ZONE)
    first: dict[tuple, dt.datetime] = {}
    submits = FilingTransition.objects.filter(action="submit", filing__period__is_baseline=False).values_list(
        "filing__schedule", "filing__period_id", "filing__park_id", "filing__branch_id", "filing__city_id", "at")
    for *subject, at in submits.iterator(chunk_size=5000):
        key = tuple(subject)
        if key not in first or at < first[key]:
            first[key] = at
    if not first:
        return
    changed = []
    filings = Filing.objects.filter(schedule__in={k[0] for k in first}, period__is_baseline=False).values_list(
        "pk", "schedule", "period_id", "park_id", "branch_id", "city_id", "days_late", "period__filer_due", "period__branch_due")
    for pk, schedule, period_id, park_id, branch_id, city_id, days_late, filer_due, branch_due in filings.iterator(chunk_size=5000):
        at = first.get((schedule, period_id, park_id, branch_id, city_id))
        if at is None:
            continue
        due = branch_due if city_id else filer_due
        days = max(0, (at.astimezone(tz).date() - due).days)
        if days != days_late:
            changed.append(Filing(pk=pk, days_late=days))
    Filing.objects.bulk_update(changed, ["days_late"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("reports", "0010_summary_queued_at")]

    operations = [
        migrations.AddField(
            model_name="t1row",
            name="multi_bank",
            field=models.BooleanField(default=False, help_text="服务银行超过3家（个体工商户超过2家），见 schedules.t1.multi_bank",
                                      verbose_name="是否垒小户"),
        ),
        migrations.RunPython(flag_multi_bank, migrations.RunPython.noop),
        migrations.RunPython(first_submission_days_late, migrations.RunPython.noop),
    ]
