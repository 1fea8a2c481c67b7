"""Issue 11 (figures a regulator can sign).

1. ``T1Row.multi_bank``: the row's 垒小户 flag (浙银保监发〔2020〕15号 二(七): a 个体工商户 served by more
   than 2 banks, any other enterprise with 0 < 单户授信 ≤ 1000万元 by more than 3), computed on save by
   ``reports.schedules.t1.multi_bank``. Existing rows are flagged by one UPDATE (the condition is
   written out here because a migration must not import the app's code), then every 附表2's
   ``multi_bank_count`` is recounted from the flags by one UPDATE with a subquery. City and province
   summaries are JSON built by the roll-ups: run ``manage.py rebuild_summaries`` after migrating.
"""
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


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_load_target_sets")]

    operations = [
        migrations.AddField(
            model_name="t1row",
            name="multi_bank",
            field=models.BooleanField(default=False, help_text="服务银行超过3家（个体工商户超过2家），见 schedules.t1.multi_bank",
                                      verbose_name="是否垒小户"),
        ),
        migrations.RunPython(flag_multi_bank, migrations.RunPython.noop),
    ]
