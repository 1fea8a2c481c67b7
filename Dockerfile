# The production image: dependencies and static files are baked in at build time; the container
# only starts (portal/docker-entrypoint.sh web | worker | beat | migrate | manage ...).
#   docker build -t xiaowei-portal .
#   docker run -e SECRET_KEY=... -e ALLOWED_HOSTS=... -e DATABASE_URL=... -e REDIS_URL=... xiaowei-portal web
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=root:root . .
# collectstatic needs settings, not secrets or services: a throwaway key for this one step only
# (the running container must be given its own SECRET_KEY, or it refuses to start).
RUN SECRET_KEY=build-only-collectstatic-not-a-secret ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL= \
        python manage.py collectstatic --noinput \
 && rm -f /tmp/build.sqlite3 \
 && python -m compileall -q portal parks banks reports \
 && mkdir -p /app/media \
 && chown portal:portal /app/media

USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=15s --start-period=40s --retries=3 CMD ["/app/portal/docker-entrypoint.sh", "healthcheck"]
ENTRYPOINT ["/app/portal/docker-entrypoint.sh"]
CMD ["web"]
