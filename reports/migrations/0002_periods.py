import datetime as dt

from django.db import migrations

# Frozen here (not imported from the app), so a later change to the live code cannot change what
# this migration created: 2018Q4 (the 附表4 baseline) and 2019Q2–2020Q4, with the default deadlines
# (filers +15 days, city branches +20, lock +60) and the first filing's 2019 H1 dates.


def _period(year, quarter):
    start = dt.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    end = dt.date(year + (end_month == 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)
    code = f"{year}Q{quarter}"
    values = {"code": code, "year": year, "quarter": quarter, "start": start, "end": end,
              "filer_due": end + dt.timedelta(days=15), "branch_due": end + dt.timedelta(days=20),
              "lock_date": end + dt.timedelta(days=60), "is_baseline": code == "2018Q4"}
    if code == "2019Q2":
        values.update(start=dt.date(2019, 1, 1), filer_due=dt.date(2019, 8, 15), branch_due=dt.date(2019, 8, 20),
                      lock_date=dt.date(2019, 9, 30))
    return values


def load(apps, schema_editor):
    Period = apps.get_model("reports", "Period")
    wanted = [(2018, 4), (2019, 2), (2019, 3), (2019, 4), (2020, 1), (2020, 2), (2020, 3), (2020, 4)]
    for year, quarter in wanted:
        Period.objects.get_or_create(year=year, quarter=quarter, defaults=_period(year, quarter))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
