from django.db import migrations


def load(apps, schema_editor):
    """The four target sets of TARGETS.md (浙江 2020 default, 济源 2022, 镇海 2021–2022, 陕西 2024)."""
    from reports.targets import target_sets_load

    target_sets_load(apps.get_model("reports", "TargetSet"), apps.get_model("reports", "Target"))


def unload(apps, schema_editor):
    apps.get_model("reports", "TargetSet").objects.filter(code__in=["ZJ2020", "JY2022", "ZH2022", "SX2024"]).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_targets")]
    operations = [migrations.RunPython(load, unload)]
