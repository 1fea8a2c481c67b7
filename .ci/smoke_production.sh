#!/usr/bin/env bash
# Production smoke test: the portal started the way the image starts it, on PostgreSQL and Redis.
#
#   DJANGO_ENV=production with a fresh random SECRET_KEY; collectstatic with the manifest storage;
#   portal/docker-entrypoint.sh migrate, web (gunicorn), worker and beat; then over HTTP
#   (.ci/smoke_client.py): health check, SSL redirect, the login form with CSRF, a dashboard, a
#   hashed static file, /api/docs/ and the schema, a 404 — statuses and security headers; a
#   task round trip through the worker; beat alive. Everything it starts it stops (trap).
#
#   bash .ci/smoke_production.sh        # needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis
# Variables: SMOKE_PG (postgres://postgres@127.0.0.1:5432), SMOKE_DB (portal_smoke),
#            SMOKE_REDIS_URL (redis://127.0.0.1:6379/12), PYTHON_BIN (.venv/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
started=$(date +%s)

PG=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
DB=${SMOKE_DB:-portal_smoke}
BIN=${PYTHON_BIN:-$ROOT/.venv/bin}
export PATH="$BIN:$PATH"   # python, gunicorn, celery: as on the image's PATH
ENTRY="$ROOT/portal/docker-entrypoint.sh"

WORK=$(mktemp -d /tmp/portal-smoke.XXXXXX)
pids=()
collect=
cleanup() {
  status=$?
  [ -n "$collect" ] && kill "$collect" 2>/dev/null && wait "$collect" 2>/dev/null
  for pid in "${pids[@]}"; do  # each was started with setsid: its process group is its own
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ $status -ne 0 ]; then
    for log in "$WORK"/*.log; do
      [ -f "$log" ] || continue
      echo "---- last lines of $(basename "$log")"; tail -n 40 "$log"
    done
  fi
  redis-cli -u "$SMOKE_REDIS_URL" flushdb >/dev/null 2>&1 || true
  dropdb --if-exists --force -h 127.0.0.1 -U postgres "$DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  echo "== [$(( $(date +%s) - started ))s] smoke test $( [ $status -eq 0 ] && echo passed || echo FAILED )"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== [%3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

export SMOKE_REDIS_URL=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/12}
PORT=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

# The production environment, as docker-compose gives it (the key is new on every run).
env_vars=(
  DJANGO_ENV=production
  PYTHONUNBUFFERED=1  # as in the image: logs reach the files at once
  "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
  ALLOWED_HOSTS=127.0.0.1,localhost
  "DATABASE_URL=$PG/$DB"
  "REDIS_URL=$SMOKE_REDIS_URL"
  "STATIC_ROOT=$WORK/static"
  "MEDIA_ROOT=$WORK/media"
  "BIND=127.0.0.1:$PORT"
  WEB_CONCURRENCY=2
  CELERY_CONCURRENCY=1
  "CELERY_BEAT_SCHEDULE_FILE=$WORK/celerybeat-schedule"
  LOG_LEVEL=WARNING
)
export "${env_vars[@]}"
unset DEBUG CELERY_TASK_ALWAYS_EAGER CELERY_VISIBILITY_TIMEOUT ROLLUP_BUILD_DELAY DJANGO_ALLOW_ASYNC_UNSAFE

log "services"
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }
redis-cli -u "$SMOKE_REDIS_URL" ping >/dev/null || { echo "Redis is not reachable at $SMOKE_REDIS_URL"; exit 1; }
redis-cli -u "$SMOKE_REDIS_URL" flushdb >/dev/null
dropdb --if-exists --force -h 127.0.0.1 -U postgres "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"

log "collectstatic (manifest storage, as the image build runs it) and, meanwhile, migrate (docker-entrypoint.sh migrate: compose's one-shot service)"
python manage.py collectstatic --noinput -v0 >"$WORK/collectstatic.log" 2>&1 &
collect=$!
"$ENTRY" migrate -v0
wait $collect || { cat "$WORK/collectstatic.log"; exit 1; }
test -s "$STATIC_ROOT/staticfiles.json"

log "a user: province regulator"
SMOKE_USER=smoke-province
SMOKE_PASSWORD=$(python -c 'import secrets; print(secrets.token_urlsafe(18))')
export SMOKE_USER SMOKE_PASSWORD
"$ENTRY" manage shell -v0 -c '
import os
from portal.choices import OrgKind, ROLE_FOR_KIND
from portal.models import Organisation, Region, User
org = Organisation.objects.create(name="浙江银保监局（冒烟测试）", kind=OrgKind.PROVINCE_REGULATOR, region=Region.objects.get(code="330000"))
User.objects.create_user(os.environ["SMOKE_USER"], password=os.environ["SMOKE_PASSWORD"], organisation=org,
                         role=ROLE_FOR_KIND[org.kind])
'

log "start web, worker and beat (docker-entrypoint.sh web | worker | beat) on 127.0.0.1:$PORT"
for role in web worker beat; do
  setsid "$ENTRY" "$role" >"$WORK/$role.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 60); do
  "$ENTRY" healthcheck web 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "gunicorn exited"; exit 1; }
  sleep 0.5
done
log "the image's HEALTHCHECK command for web and worker"
"$ENTRY" healthcheck web
for _ in $(seq 1 30); do "$ENTRY" healthcheck worker 2>/dev/null && break; sleep 1; done
"$ENTRY" healthcheck worker
echo "  ok  healthcheck web, healthcheck worker"

log "HTTP checks"
python .ci/smoke_client.py "http://127.0.0.1:$PORT" "$SMOKE_USER" "$SMOKE_PASSWORD"

log "worker: tasks round-trip through Redis"
"$ENTRY" manage shell -v0 -c '
from portal.tasks import ping
from reports.summaries.rollups import summaries_requeue_stuck_task
assert ping.delay().get(timeout=45) == "pong", "no pong from the worker"
assert summaries_requeue_stuck_task.delay().get(timeout=30) == 0
print("  ok  worker answered ping and ran the stuck roll-up check")
'

log "beat"
for _ in $(seq 1 20); do grep -q "beat: Starting" "$WORK/beat.log" && break; sleep 0.5; done
grep -q "beat: Starting" "$WORK/beat.log" || { echo "beat did not start"; exit 1; }
kill -0 "${pids[2]}" || { echo "beat exited"; exit 1; }
echo "  ok  beat running"
for i in 0 1; do kill -0 "${pids[$i]}" || { echo "a process exited"; exit 1; }; done
! grep -E "Traceback|ERROR" "$WORK/web.log" "$WORK/worker.log" || { echo "errors in the logs"; exit 1; }
