"""Static files as production serves them: the manifest storage collects every file (a vendored
bundle naming a missing source map used to stop the production build), and no static file
names a source map that is not there."""
import re

from django.contrib.staticfiles import finders
from django.core.management import call_command

SOURCE_MAP = re.compile(rb"sourceMappingURL=([^\s*'\"]+)")


def _static_files():
    for finder in finders.get_finders():
        for path, storage in finder.list(["*.map", "*.gz", "*.br", "*.png", "*.svg", "*.woff", "*.woff2", "*.ttf"]):
            if path.endswith((".js", ".css")):
                yield path, storage


def test_no_static_file_names_a_source_map_that_is_missing():
    missing = []
    for path, storage in _static_files():
        with storage.open(path) as fh:
            tail = fh.read()[-400:]  # the comment closes the file
        for name in SOURCE_MAP.findall(tail):
            target = path.rsplit("/", 1)[0] + "/" + name.decode() if "/" in path else name.decode()
            if not name.startswith(b"data:") and not finders.find(target):
                missing.append(f"{path} → {name.decode()}")
    assert missing == []


def test_production_manifest_storage_collects_every_static_file(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for name in ("vendor/bootstrap/bootstrap.bundle.min.js", "vendor/bootstrap/bootstrap.min.css", "vendor/htmx/htmx.min.js",
                 "vendor/echarts/echarts.min.js", "vendor/tabulator/tabulator.min.js", "vendor/tabulator/tabulator_bootstrap5.min.css",
                 "js/dashboards.js", "js/sheet.js", "css/portal.css", "css/sheet.css"):
        assert f'"{name}"' in manifest, name
