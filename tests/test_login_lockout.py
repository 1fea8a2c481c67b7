"""Login lockout by username + address and by address alone (django-axes, portal.lockout): a
stranger cannot lock an account out of its own office, password spraying from one address is
stopped, the answer does not reveal whether a username exists, and the province regulator
unlocks a user from the portal (logged)."""
from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

A, B, C = "10.0.0.1", "10.0.0.2", "10.0.0.3"


def login(client: Client, username: str, password: str, ip: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(username: str, ip: str, times: int = 1):
    client = Client()
    for _ in range(times):
        response = login(client, username, "wrong-password", ip)
    return response


def logs_in(username: str, ip: str) -> bool:
    response = login(Client(), username, PASSWORD, ip)
    return response.status_code == 302


def page_text(response) -> str:
    """The page without what differs between any two responses (CSRF tokens)."""
    html = response.content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value=|csrf-token" content=)"[^"]*"', r"\1", html)


def test_five_failures_for_province_from_one_address_do_not_lock_province_from_another(world, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    locked = fail("province", A, times=5)
    assert locked.status_code == 429 and "登录已临时锁定" in locked.content.decode()
    assert not logs_in("province", A)  # even the right password, from the stranger's address
    assert logs_in("province", B)  # the regulator's own office is not affected


def test_twenty_failures_over_different_usernames_from_one_address_lock_that_address(world, settings):
    assert settings.AXES_IP_FAILURE_LIMIT == 20
    names = [f"spray{i}" for i in range(19)]
    for name in names:
        assert fail(name, A).status_code == 200  # one try each: no username reaches its own limit
    assert fail("spray19", A).status_code == 429  # the 20th failure from the address locks it
    assert not logs_in("op_hz", A)  # every account, from that address
    assert logs_in("op_hz", B)  # other addresses are not affected


def test_a_successful_login_does_not_reset_the_addresss_count(world):
    """An attacker with one valid account must not be able to clear the address's failures."""
    for i in range(19):
        fail(f"spray{i}", A)
    assert logs_in("op_wz", A)
    assert fail("spray19", A).status_code == 429


def test_a_successful_login_clears_the_users_own_failures_from_that_address(world):
    fail("op_hz", A, times=4)
    assert logs_in("op_hz", A)
    assert fail("op_hz", A, times=4).status_code == 200  # counting starts again


def test_the_answers_are_the_same_for_an_existing_and_a_non_existing_username(world):
    assert "op_hz" in {u.username for u in world.users.values()}
    for attempt in range(5):
        real, ghost = fail("op_hz", A), fail("no-such-user", B)
        assert real.status_code == ghost.status_code == (429 if attempt == 4 else 200)
        assert page_text(real).replace("op_hz", "NAME") == page_text(ghost).replace("no-such-user", "NAME")
        assert "op_hz" not in real.content.decode().split("name=\"username\"")[-1] or attempt < 4
    locked_real, locked_ghost = login(Client(), "op_hz", PASSWORD, A), login(Client(), "no-such-user", PASSWORD, B)
    assert locked_real.status_code == locked_ghost.status_code == 429
    assert page_text(locked_real) == page_text(locked_ghost)


# --- unlocking ----------------------------------------------------------------------------------------

def test_the_province_unlocks_a_locked_regulator_from_the_organisation_page_and_it_is_logged(world, client):
    fail("hz_branch", A, times=5)
    assert not logs_in("hz_branch", A)
    target = world.users["hz_branch"]
    client.force_login(world.users["province"])
    page = client.get(reverse("portal:organisation_detail", args=[world.hz_branch.pk])).content.decode()
    assert "已锁定" in page and 'data-testid="unlock-hz_branch"' in page
    url = reverse("portal:user_unlock", args=[target.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "确认解锁" in confirm.content.decode()
    assert AccessAttempt.objects.filter(username="hz_branch").exists()  # a GET changes nothing
    response = client.post(url, follow=True)
    assert "已解锁用户“hz_branch”" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="hz_branch").exists()
    assert logs_in("hz_branch", A)
    entry = LogEntry.objects.get(object_id=str(target.pk), content_type__model="user")
    assert entry.user == world.users["province"] and "解锁" in entry.change_message


def test_a_superuser_unlocks_too(world, client):
    fail("op_hz", A, times=5)
    client.force_login(world.admin)
    client.post(reverse("portal:user_unlock", args=[world.users["op_hz"].pk]))
    assert logs_in("op_hz", A)


@pytest.mark.parametrize("who", ["hz_branch", "bank_a_hz", "op_hz", "jxt"])
def test_nobody_else_can_unlock(world, client, who):
    fail("op_hz", A, times=5)
    client.force_login(world.users[who])
    url = reverse("portal:user_unlock", args=[world.users["op_hz"].pk])
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert AccessAttempt.objects.filter(username="op_hz").exists() and not logs_in("op_hz", A)
    assert "unlock-" not in client.get(reverse("portal:organisation_detail", args=[world.op_hz.pk])).content.decode()


def test_unlocking_needs_a_login(world, client):
    url = reverse("portal:user_unlock", args=[world.users["op_hz"].pk])
    assert client.post(url).status_code == 302
