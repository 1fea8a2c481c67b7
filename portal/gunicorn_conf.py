"""gunicorn settings: the one way the web server runs — production (``docker-entrypoint.sh web``, as
the image, docker-compose and .ci/smoke_production.sh start it) and bench/dashboard.py.

Sync workers (one request at a time each; the portal's requests are short and the database does the
waiting), ``preload_app``: the application — settings, models, the URL patterns with every view
module, the dashboards' templates and code digest — is loaded once in the master before the workers
are forked (``when_ready``), so a new worker answers its first request at full speed and the
workers share those pages of memory. No database or cache connection is opened in the master.

Environment: BIND (default 0.0.0.0:$PORT, PORT 8000), WEB_CONCURRENCY (4), GUNICORN_TIMEOUT (120),
GUNICORN_ACCESS_LOG (``-``: stdout; empty: none).
"""
from __future__ import annotations

import gc
import os

from django.template.loader import get_template
from django.urls import get_resolver

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"

# the pages whose speed is measured (bench/dashboard.py) and every page's frame
WARM_TEMPLATES = ("base.html", "dashboards/province.html", "dashboards/city.html", "dashboards/county.html",
                  "dashboards/targets.html")


def when_ready(server) -> None:
    """In the master, the application loaded, before the first fork: import every view (the URL
    patterns), compile the dashboards' templates, then freeze the heap so the workers' copies of it
    stay shared."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 — imports the URL modules and with them every view
    resolver.reverse_dict  # noqa: B018 — the reverse lookup tables
    for name in WARM_TEMPLATES:
        get_template(name)
    gc.freeze()
