"""The three shapes of the settings: embedded default, services, production."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROD_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "q8#Tz4!vLx2@Rk9pW6$eJm3^Hs7&Nd5*Fb1(Yc0)Ug8-Ai4+Ko2=Xw6",
    "ALLOWED_HOSTS": "portal.example.gov.cn",
    "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
}


def _manage(*args, env_extra):
    dropped = ("DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production_mode():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_refuses_to_start_without_secret_key_or_allowed_hosts():
    for missing in ("SECRET_KEY", "ALLOWED_HOSTS"):
        env = {k: v for k, v in PROD_ENV.items() if k != missing}
        result = _manage("check", env_extra=env)
        assert result.returncode != 0
        assert f"requires the {missing}" in result.stderr


def test_production_turns_debug_off_and_cookies_secure():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    result = _manage("shell", "-c", code, env_extra=PROD_ENV)
    assert result.stdout.strip().splitlines()[-1] == "False True True True True", result.stderr


def test_embedded_default_is_sqlite_with_eager_celery_and_console_mail():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND.rsplit('.', 2)[-2])"
    )
    env = {"DATABASE_URL": "", "REDIS_URL": ""}
    result = _manage("shell", "-c", code, env_extra=env)
    assert result.stdout.strip().splitlines()[-1] == "django.db.backends.sqlite3 True console", result.stderr


def test_celery_app_is_configured_for_safe_redelivery():
    from django.conf import settings

    from portal.celery import app

    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.broker_transport_options["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT
    assert "clear-expired-sessions" in app.conf.beat_schedule


def test_every_beat_job_names_a_task_the_worker_knows():
    from portal.celery import app

    app.loader.import_default_modules()  # what a worker imports at start (autodiscovery)
    assert {job["task"] for job in app.conf.beat_schedule.values()} - set(app.tasks) == set()
    assert "export-jobs-purge" in app.conf.beat_schedule


def test_a_lost_rollup_is_redone_within_minutes_not_hours():
    """Redelivery after the visibility timeout, and the beat job for lost messages: both in minutes,
    in the order time limit < visibility timeout < stuck threshold (no task runs twice at once)."""
    from django.conf import settings

    from portal.celery import app

    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility < settings.ROLLUP_STUCK_MINUTES * 60
    assert visibility <= 15 * 60 and settings.ROLLUP_STUCK_MINUTES <= 30
    job = app.conf.beat_schedule["summaries-requeue-stuck"]
    assert job["task"] == "reports.summaries.rollups.summaries_requeue_stuck_task" and job["task"] in app.tasks
    assert job["schedule"].total_seconds() <= settings.ROLLUP_STUCK_MINUTES * 60
