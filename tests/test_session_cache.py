"""What a signed-in page costs besides its own work: the session from the cache (cached_db with
Redis), the user with its organisation and region in one query (portal.auth), the header's unread
count from the cache under the user's token, dropped when a notification is created or read
(portal.notifications); the Redis backend keeps one client (portal.cache)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.auth import user_with_organisation
from portal.cache import PortalRedisCache
from portal.notifications import notifications_mark_read, notify, unread_count
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
PROFILE = reverse("profile")


def _tables(queries) -> list[str]:
    return [q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries if " FROM " in q["sql"]]


def _page(client, url=PROFILE):
    with CaptureQueriesContext(connection) as seen:
        response = client.get(url)
    assert response.status_code == 200
    return response, seen.captured_queries


def _badge(response) -> str | None:
    html = response.content.decode()
    marker = 'data-testid="unread-count">'
    return html.split(marker, 1)[1].split("<", 1)[0] if marker in html else None


def _engine(redis_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("SESSION_ENGINE", "DJANGO_ENV")}
    env.update(REDIS_URL=redis_url, DATABASE_URL="")
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", "from django.conf import settings as s; print(s.SESSION_ENGINE)"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


def test_sessions_are_cached_db_with_redis_and_the_table_alone_without():
    assert _engine("redis://127.0.0.1:6379/15") == "django.contrib.sessions.backends.cached_db"
    assert _engine("") == "django.contrib.sessions.backends.db"


def test_a_signed_in_page_reads_neither_the_session_table_nor_the_notifications_twice(client, world):
    client.force_login(world.users["hz_branch"])
    _, first = _page(client)
    assert "django_session" not in _tables(first)  # force_login wrote it through to the cache
    assert _tables(first).count("portal_notification") == 1  # counted once, then kept
    _, again = _page(client)
    assert "django_session" not in _tables(again) and "portal_notification" not in _tables(again)


def test_the_user_its_organisation_and_region_come_in_one_query(client, world):
    client.force_login(world.users["xihu_jxj"])
    client.get(PROFILE)
    _, queries = _page(client)
    users = [q["sql"] for q in queries if '"portal_user"' in q["sql"].split(" WHERE ")[0]]
    assert len(users) == 1, users
    assert '"portal_organisation"' in users[0] and '"portal_region"' in users[0]
    assert "portal_organisation" not in _tables(queries) and "portal_region" not in _tables(queries)


def test_the_compiled_user_query_loads_any_user_as_the_orm_does(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = user_with_organisation(pk=str(world.users["xihu_jxj"].pk))  # the session keeps it as text
        assert (user.username, user.organisation.name, user.organisation.region.code) == ("xihu_jxj", "西湖区经信局", "330106")
        assert user.date_joined == world.users["xihu_jxj"].date_joined and user.is_active is True
    root = user_with_organisation(pk=world.admin.pk)
    assert root.is_superuser and root.organisation is None
    assert user_with_organisation(pk=world.admin.pk + 10_000) is None


def test_the_unread_count_is_cached_and_changes_with_a_new_notification(client, world):
    user = world.users["bank_a_hz"]
    client.force_login(user)
    assert _badge(_page(client)[0]) is None
    notify(users=[user, world.users["bank_b_hz"]], title="请确认西湖智造小微企业园的附表1")
    response, queries = _page(client)
    assert _badge(response) == "1" and "portal_notification" in _tables(queries)  # counted anew
    response, queries = _page(client)
    assert _badge(response) == "1" and "portal_notification" not in _tables(queries)  # kept
    notify(users=[user], title="附表1已退回")
    assert _badge(_page(client)[0]) == "2"
    assert unread_count(user=world.users["bank_b_hz"]) == 1


def test_the_unread_count_changes_when_notifications_are_read(client, world):
    user = world.users["op_hz"]
    notify(users=[user], title="附表1已退回", url=reverse("profile"))
    notify(users=[user], title="附表1已审核通过")
    client.force_login(user)
    assert _badge(_page(client)[0]) == "2"
    note = user.notifications.get(title="附表1已退回")
    assert client.get(reverse("notification_open", args=[note.pk]))["Location"] == reverse("profile")
    assert _badge(_page(client)[0]) == "1"
    assert client.post(reverse("notifications")).status_code == 302  # 全部标记为已读
    assert _badge(_page(client)[0]) is None
    assert not user.notifications.filter(read_at__isnull=True).exists()


def test_marking_read_counts_only_what_was_unread_and_leaves_others_alone(world):
    me, other = world.users["op_hz"], world.users["op_hz2"]
    notify(users=[me, other], title="附表1已退回")
    notify(users=[me], title="附表1已审核通过")
    assert unread_count(user=me) == 2 and unread_count(user=other) == 1
    first = me.notifications.order_by("id").first()
    assert notifications_mark_read(user=me, notification=first) == 1
    assert first.read_at is not None
    assert notifications_mark_read(user=me, notification=first) == 0  # already read
    assert unread_count(user=me) == 1
    assert notifications_mark_read(user=me) == 1
    assert unread_count(user=me) == 0 and unread_count(user=other) == 1


def test_a_user_made_anew_with_a_reused_id_gets_no_count_of_the_old_one(world):
    user = f.UserFactory(username="temp_user", organisation=world.op_hz)
    notify(users=[user], title="附表1已退回")
    assert unread_count(user=user) == 1
    pk = user.pk
    user.delete()
    again = f.UserFactory(id=pk, username="temp_user_2", organisation=world.op_hz)  # as on a database made anew
    assert unread_count(user=again) == 0


def test_the_redis_backend_keeps_one_client_per_server():
    backend = PortalRedisCache("redis://127.0.0.1:6379/15", {})
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client and backend._cache.get_client() is client
