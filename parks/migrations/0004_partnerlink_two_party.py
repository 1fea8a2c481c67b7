"""Partner links become a two-party fact (bank proposes, park or branch confirms).

Links that exist already were declared under the old one-party rule and have been in use: they
are kept as confirmed, except that where a park had several open lead links the earliest stays the
lead and the others go back to "待确认" (one lead bank per park at a time). On PostgreSQL an
exclusion constraint also forbids overlapping confirmed lead intervals of one park."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def one_lead_per_park(apps, schema_editor):
    import datetime as dt

    PartnerLink = apps.get_model("parks", "PartnerLink")
    kept: dict[int, list[tuple[dt.date, dt.date]]] = {}
    demote = []
    for link in PartnerLink.objects.filter(role="lead", status="confirmed").order_by("park_id", "since", "pk"):
        end = link.until or dt.date.max
        spans = kept.setdefault(link.park_id, [])
        if any(link.since <= e and s <= end for s, e in spans):
            demote.append(link.pk)
        else:
            spans.append((link.since, end))
    PartnerLink.objects.filter(pk__in=demote).update(status="proposed")


EXCLUDE_OVERLAPPING_LEADS = (
    "ALTER TABLE parks_partnerlink ADD CONSTRAINT partner_link_one_lead_at_a_time EXCLUDE USING gist "
    "(park_id WITH =, daterange(since, until, '[]') WITH &&) WHERE (role = 'lead' AND status = 'confirmed')"
)


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(EXCLUDE_OVERLAPPING_LEADS)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE parks_partnerlink DROP CONSTRAINT IF EXISTS partner_link_one_lead_at_a_time")


class Migration(migrations.Migration):

    dependencies = [
        ('parks', '0003_brainreading'),
        ('portal', '0004_apitokeninfo_idempotencykey'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='partnerlink',
            name='one_open_link_per_park_branch',
        ),
        migrations.AddField(
            model_name='historicalpartnerlink',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='确认时间'),
        ),
        migrations.AddField(
            model_name='historicalpartnerlink',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人'),
        ),
        migrations.AddField(
            model_name='historicalpartnerlink',
            name='decision_note',
            field=models.CharField(blank=True, max_length=200, verbose_name='确认意见'),
        ),
        migrations.AddField(
            model_name='historicalpartnerlink',
            name='proposed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='申报时间'),
        ),
        migrations.AddField(
            model_name='historicalpartnerlink',
            name='proposed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申报人'),
        ),
        migrations.AddField(
            model_name='historicalpartnerlink',
            name='status',
            field=models.CharField(choices=[('proposed', '待确认'), ('confirmed', '已确认'), ('rejected', '已拒绝')], db_index=True, default='proposed', max_length=10, verbose_name='确认状态'),
        ),
        migrations.AddField(
            model_name='partnerlink',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='确认时间'),
        ),
        migrations.AddField(
            model_name='partnerlink',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人'),
        ),
        migrations.AddField(
            model_name='partnerlink',
            name='decision_note',
            field=models.CharField(blank=True, max_length=200, verbose_name='确认意见'),
        ),
        migrations.AddField(
            model_name='partnerlink',
            name='proposed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='申报时间'),
        ),
        migrations.AddField(
            model_name='partnerlink',
            name='proposed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申报人'),
        ),
        migrations.AddField(
            model_name='partnerlink',
            name='status',
            field=models.CharField(choices=[('proposed', '待确认'), ('confirmed', '已确认'), ('rejected', '已拒绝')], db_index=True, default='confirmed', max_length=10, verbose_name='确认状态'),
        ),
        migrations.AlterField(
            model_name='partnerlink',
            name='status',
            field=models.CharField(choices=[('proposed', '待确认'), ('confirmed', '已确认'), ('rejected', '已拒绝')], db_index=True, default='proposed', max_length=10, verbose_name='确认状态'),
        ),
        migrations.RunPython(one_lead_per_park, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='partnerlink',
            constraint=models.UniqueConstraint(condition=models.Q(('until__isnull', True), models.Q(('status', 'rejected'), _negated=True)), fields=('park', 'branch'), name='one_open_link_per_park_branch', violation_error_message='该机构与该园区已有有效的伙伴关系。'),
        ),
        migrations.AddConstraint(
            model_name='partnerlink',
            constraint=models.UniqueConstraint(condition=models.Q(('role', 'lead'), ('status', 'confirmed'), ('until__isnull', True)), fields=('park',), name='one_open_lead_per_park', violation_error_message='该园区已有主办行，同一时间只能有一家主办行。'),
        ),
        migrations.RunPython(add_exclusion, drop_exclusion),
    ]
