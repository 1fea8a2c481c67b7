from django.db import migrations


def load(apps, schema_editor):
    from reports.periods import period_defaults, quarters_between

    Period = apps.get_model("reports", "Period")
    wanted = [(2018, 4)] + quarters_between("2019Q2", "2020Q4")
    for year, quarter in wanted:
        Period.objects.get_or_create(year=year, quarter=quarter, defaults=period_defaults(year, quarter))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
