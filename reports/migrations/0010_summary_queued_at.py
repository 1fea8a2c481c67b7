"""Summary.queued_at: when a roll-up was queued, so a lost one can be found and enqueued again
(reports.summaries.rollups.summaries_requeue_stuck). Summaries queued before this migration count from
their last request."""
from django.db import migrations, models


def backfill(apps, schema_editor):
    Summary = apps.get_model("reports", "Summary")
    Summary.objects.filter(queued=True).update(queued_at=models.F("requested_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0009_load_target_sets"),
    ]

    operations = [
        migrations.AddField(
            model_name="summary",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="排队于"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
