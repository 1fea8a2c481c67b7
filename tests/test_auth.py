import pytest
from django.urls import reverse

from tests.factories import PASSWORD


def test_login_page_is_in_chinese_and_logs_in(client, world):
    page = client.get(reverse("login")).content.decode()
    assert "用户登录" in page and "密码" in page
    response = client.post(reverse("login"), {"username": "bank_a_hz", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_password_gives_a_chinese_message(client, world):
    response = client.post(reverse("login"), {"username": "bank_a_hz", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_for_the_cool_off_time(client, world, settings):
    from axes.models import AccessAttempt

    assert settings.AXES_COOLOFF_TIME.total_seconds() > 0
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "op_hz", "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "op_hz", "password": "wrong-password"})
    assert response.status_code == 429
    # even the right password is refused while locked
    response = client.post(reverse("login"), {"username": "op_hz", "password": PASSWORD})
    assert response.status_code == 429 and "登录已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another account is not affected
    assert client.post(reverse("login"), {"username": "op_wz", "password": PASSWORD}).status_code == 302
    # after the cool-off time the account opens again
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - settings.AXES_COOLOFF_TIME)
    client.logout()
    assert client.post(reverse("login"), {"username": "op_hz", "password": PASSWORD}).status_code == 302


def test_logout_needs_a_post_and_ends_the_session(client, world):
    client.force_login(world.users["province"])
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_validators_are_on(client, world):
    client.force_login(world.users["op_hz"])
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert response.context["form"].errors.get("new_password2")


@pytest.mark.parametrize(
    "who, expected",
    [
        ("op_hz", "附表1"),
        ("bank_a_hz", "附表4"),
        ("hz_branch", "附表3"),
        ("province", "全省"),
        ("xihu_jxj", "星级"),
    ],
)
def test_each_role_lands_on_a_page_saying_what_to_do(client, world, who, expected):
    client.force_login(world.users[who])
    html = client.get(reverse("home")).content.decode()
    assert expected in html
    assert "您需要完成的工作" in html


def test_bank_landing_counts_only_its_own_links(client, world):
    client.force_login(world.users["bank_b_hz"])
    response = client.get(reverse("home"))
    assert response.context["link_count"] == 2 and response.context["lead_count"] == 1


def test_landing_lists_the_open_periods_outstanding_work(client, world):
    import datetime as dt

    from reports.filings import services
    from reports.filings.models import Period
    from reports.workflow import services as workflow
    from tests.test_t1_t2 import raw_row

    Period.objects.exclude(code="2020Q3").update(lock_date=dt.date(2020, 1, 1))
    client.force_login(world.users["op_hz"])
    response = client.get(reverse("home"))
    assert response.context["period"] == "2020Q3"
    assert "西湖智造小微企业园：2020Q3 附表1尚未填报" in response.content.decode()
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[raw_row(0, world.e_hz.uscc, "10")])
    workflow.filing_submit(actor=world.users["op_hz"], filing=filing)
    client.force_login(world.users["bank_a_hz"])
    html = client.get(reverse("home")).content.decode()
    assert "1 个主办园区的附表1待您审核转报" in html and "2020Q3 附表4尚未填报" in html
