"""The summaries' JSON columns compressed with lz4 instead of pglz (PostgreSQL 14+ built with lz4):
a full rebuild rewrites ~2 MB of JSON, and pglz compressing it was a fifth of the write. Values
already stored keep their compression until they are rewritten; other databases are untouched."""
from django.db import migrations

COLUMNS = (("reports_summary", "data"), ("reports_summary", "parts"), ("reports_summary", "source_versions"),
           ("reports_parksummary", "data"))


def _lz4_available(cursor) -> bool:
    cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
    row = cursor.fetchone()
    return bool(row and row[0])


def compress(apps, schema_editor, method: str = "lz4") -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not _lz4_available(cursor):
            return
        for table, column in COLUMNS:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION {method}')


def uncompress(apps, schema_editor) -> None:
    compress(apps, schema_editor, method="pglz")


class Migration(migrations.Migration):
    dependencies = [("reports", "0017_export_jobs")]
    operations = [migrations.RunPython(compress, uncompress)]
