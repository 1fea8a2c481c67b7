#!/bin/sh
# The one way the portal starts in production: the image's ENTRYPOINT, docker-compose's services
# and the CI smoke test (.ci/smoke_production.sh) all run this script. Nothing is installed or
# collected here: dependencies and static files are baked into the image at build time.
#
#   docker-entrypoint.sh web          gunicorn on $BIND (default 0.0.0.0:8000), $WEB_CONCURRENCY workers
#                                     (portal/gunicorn_conf.py)
#   docker-entrypoint.sh worker       Celery worker, $CELERY_CONCURRENCY processes
#   docker-entrypoint.sh beat         Celery beat (the daily jobs and the stuck roll-up check)
#   docker-entrypoint.sh migrate      apply the database migrations, then exit (compose's one-shot service)
#   docker-entrypoint.sh healthcheck  the image's HEALTHCHECK: /healthz for web, a ping for a worker
#                                     (`healthcheck web|worker` to choose; else PID 1 decides)
#   docker-entrypoint.sh manage ARGS  any manage.py command, e.g. `manage seed_demo`
#   docker-entrypoint.sh CMD ...      anything else runs as given
#
# Settings come from the environment (DJANGO_ENV=production, SECRET_KEY, ALLOWED_HOSTS,
# DATABASE_URL, REDIS_URL, ...: see README.md). Python, gunicorn and celery are found on PATH.
set -eu
cd "$(dirname "$0")/.."

command="${1:-web}"
[ $# -gt 0 ] && shift

case "$command" in
  web)
    # bind, workers (sync, preloaded), timeouts, logs: portal/gunicorn_conf.py (bench/dashboard.py uses it too)
    exec gunicorn portal.wsgi:application --config python:portal.gunicorn_conf "$@"
    ;;
  worker)
    exec celery -A portal worker --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_CONCURRENCY:-2}" "$@"
    ;;
  beat)
    # the schedule file must be writable by the unprivileged user: not in /app
    exec celery -A portal beat --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
      --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" "$@"
    ;;
  migrate)
    exec python manage.py migrate --noinput "$@"
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  healthcheck)
    # `healthcheck web|worker`, or with no argument what runs as PID 1 decides (one HEALTHCHECK
    # for the web, worker and beat containers).
    what="${1:-}"
    if [ -z "$what" ]; then
      case "$(tr '\0' ' ' </proc/1/cmdline 2>/dev/null || true)" in
        *gunicorn*) what=web ;;
        *celery*" worker"*) what=worker ;;
        *) what=alive ;;
      esac
    fi
    case "$what" in
      worker)
        exec celery -A portal inspect ping --timeout 10 --destination "celery@$(hostname)" >/dev/null
        ;;
      web)
        exec python - <<'PY'
import os, sys, urllib.request
bind = os.environ.get("BIND") or "0.0.0.0:" + os.environ.get("PORT", "8000")
port = bind.rsplit(":", 1)[1]
hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
host = (hosts[0] if hosts else "localhost").lstrip(".").replace("*", "localhost")
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # noqa: BLE001
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
PY
        ;;
      alive)
        exit 0  # beat, migrate: running is healthy
        ;;
      *)
        echo "healthcheck: web, worker or nothing, not $what" >&2
        exit 2
        ;;
    esac
    ;;
  *)
    exec "$command" "$@"
    ;;
esac
