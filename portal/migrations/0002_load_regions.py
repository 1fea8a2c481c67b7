"""Load China's administrative divisions (GB/T 2260) from the project's own fixture
(portal/fixtures/admin_divisions_*.csv), so the portal never reads ../shared at run time."""
import csv
from pathlib import Path

from django.db import migrations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# 计划单列市: Dalian, Ningbo, Xiamen, Qingdao, Shenzhen
SEPARATELY_PLANNED = {"210200", "330200", "350200", "370200", "440300"}


def _rows(name):
    with open(FIXTURES / name, encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def load(apps, schema_editor):
    Region = apps.get_model("portal", "Region")
    if Region.objects.exists():
        return
    provinces = {}
    for row in _rows("admin_divisions_provinces.csv"):
        code = row["code"].ljust(6, "0")
        provinces[row["code"]] = Region.objects.create(
            code=code, name=row["name"], level="province", province_code=code, city_code=""
        )
    cities = {}
    new = []
    for row in _rows("admin_divisions_cities.csv"):
        code = row["code"].ljust(6, "0")
        parent = provinces[row["provinceCode"]]
        new.append(
            Region(code=code, name=row["name"], level="city", parent=parent, province_code=parent.code,
                   city_code=code, separately_planned=code in SEPARATELY_PLANNED)
        )
    for region in Region.objects.bulk_create(new):
        cities[region.code[:4]] = region
    if not all(r.pk for r in cities.values()):  # backends that do not return ids
        cities = {r.code[:4]: r for r in Region.objects.filter(level="city")}
    new = []
    for row in _rows("admin_divisions_areas.csv"):
        parent = cities[row["cityCode"]]
        if row["code"] == parent.code:
            continue  # a city without counties lists itself as its only area (e.g. 东莞 441900)
        new.append(
            Region(code=row["code"], name=row["name"], level="county", parent=parent,
                   province_code=parent.province_code, city_code=parent.code)
        )
    Region.objects.bulk_create(new, batch_size=1000)


def unload(apps, schema_editor):
    apps.get_model("portal", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
