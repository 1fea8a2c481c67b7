"""Scope: for every registry page and every role, objects outside the user's scope answer 404
(invisible) or 403 (visible, not editable). The expectations are written out by hand."""
import pytest
from django.urls import reverse

from banks.models import Institution
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal import access
from portal.models import Organisation

ALL_USERS = ("province", "hz_branch", "wz_branch", "jxt", "hz_jxj", "xihu_jxj", "wz_jxj", "bank_a_hz", "bank_b_hz", "bank_a_wz", "op_hz", "op_hz2", "op_wz")

VISIBLE = {
    "park": {
        "province": {"p_hz", "p_hz2", "p_wz"}, "jxt": {"p_hz", "p_hz2", "p_wz"},
        "hz_branch": {"p_hz", "p_hz2"}, "hz_jxj": {"p_hz", "p_hz2"}, "xihu_jxj": {"p_hz"},
        "wz_branch": {"p_wz"}, "wz_jxj": {"p_wz"},
        "bank_a_hz": {"p_hz", "p_hz2"}, "bank_b_hz": {"p_hz", "p_hz2"}, "bank_a_wz": {"p_wz"},
        "op_hz": {"p_hz"}, "op_hz2": {"p_hz2"}, "op_wz": {"p_wz"},
    },
    "enterprise": {
        "province": {"e_hz", "e_hz2", "e_wz"}, "jxt": {"e_hz", "e_hz2", "e_wz"},
        "hz_branch": {"e_hz", "e_hz2"}, "hz_jxj": {"e_hz", "e_hz2"}, "xihu_jxj": {"e_hz"},
        "wz_branch": {"e_wz"}, "wz_jxj": {"e_wz"},
        "bank_a_hz": {"e_hz"}, "bank_b_hz": {"e_hz", "e_hz2"}, "bank_a_wz": {"e_wz"},
        "op_hz": {"e_hz"}, "op_hz2": {"e_hz2"}, "op_wz": {"e_wz"},
    },
    "link": {
        "province": {"link_a_hz", "link_b_hz", "link_b_hz2", "link_a_wz"}, "jxt": {"link_a_hz", "link_b_hz", "link_b_hz2", "link_a_wz"},
        "hz_branch": {"link_a_hz", "link_b_hz", "link_b_hz2"}, "hz_jxj": {"link_a_hz", "link_b_hz", "link_b_hz2"},
        "xihu_jxj": {"link_a_hz", "link_b_hz"}, "wz_branch": {"link_a_wz"}, "wz_jxj": {"link_a_wz"},
        "bank_a_hz": {"link_a_hz"}, "bank_b_hz": {"link_b_hz", "link_b_hz2"}, "bank_a_wz": {"link_a_wz"},
        "op_hz": {"link_a_hz", "link_b_hz"}, "op_hz2": {"link_b_hz2"}, "op_wz": {"link_a_wz"},
    },
}
# tenancies follow their enterprise here (one tenancy each)
VISIBLE["tenancy"] = {u: {e.replace("e_", "t_") for e in s} for u, s in VISIBLE["enterprise"].items()}

EDITABLE = {
    "park": {"jxt": {"p_hz", "p_hz2", "p_wz"}, "hz_jxj": {"p_hz", "p_hz2"}, "xihu_jxj": {"p_hz"}, "wz_jxj": {"p_wz"}},
    # an enterprise's identity: the park where it is a tenant today, or the city's branch regulator
    "enterprise": {"op_hz": {"e_hz"}, "op_hz2": {"e_hz2"}, "op_wz": {"e_wz"}, "hz_branch": {"e_hz", "e_hz2"}, "wz_branch": {"e_wz"}},
    "tenancy": {"op_hz": {"t_hz"}, "op_hz2": {"t_hz2"}, "op_wz": {"t_wz"}},
    "link": {"bank_a_hz": {"link_a_hz"}, "bank_b_hz": {"link_b_hz", "link_b_hz2"}, "bank_a_wz": {"link_a_wz"}},
}

PAGES = {
    "park": ("parks:park_detail", "parks:park_edit", "parks:park_history", ("p_hz", "p_hz2", "p_wz")),
    "enterprise": ("parks:enterprise_detail", "parks:enterprise_edit", "parks:enterprise_history", ("e_hz", "e_hz2", "e_wz")),
    "tenancy": ("parks:tenancy_detail", "parks:tenancy_edit", "parks:tenancy_history", ("t_hz", "t_hz2", "t_wz")),
    "link": ("parks:partnerlink_detail", "parks:partnerlink_edit", "parks:partnerlink_history", ("link_a_hz", "link_b_hz", "link_b_hz2", "link_a_wz")),
}


@pytest.mark.parametrize("who", ALL_USERS)
def test_registry_detail_edit_and_history_pages_answer_by_scope(client, world, who):
    client.force_login(world.users[who])
    for kind, (detail, edit, history, keys) in PAGES.items():
        for key in keys:
            obj = getattr(world, key)
            visible = key in VISIBLE[kind][who]
            editable = key in EDITABLE[kind].get(who, set())
            assert client.get(reverse(detail, args=[obj.pk])).status_code == (200 if visible else 404), (kind, key)
            assert client.get(reverse(history, args=[obj.pk])).status_code == (200 if visible else 404), (kind, key)
            expected_edit = 200 if editable else (403 if visible else 404)
            assert client.get(reverse(edit, args=[obj.pk])).status_code == expected_edit, (kind, key, "edit")
            assert client.post(reverse(edit, args=[obj.pk]), {}).status_code in ((200,) if editable else (expected_edit,))


@pytest.mark.parametrize("who", ALL_USERS)
def test_list_pages_show_exactly_the_scope(client, world, who):
    client.force_login(world.users[who])
    names = {
        "park": ("parks:park_list", lambda o: o.name),
        "enterprise": ("parks:enterprise_list", lambda o: o.uscc),
        "tenancy": ("parks:tenancy_list", lambda o: o.enterprise.uscc),
        "link": ("parks:partnerlink_list", lambda o: f'href="/partner-links/{o.pk}/"'),
    }
    for kind, (url, label) in names.items():
        html = client.get(reverse(url)).content.decode()
        for key in PAGES[kind][3]:
            shown = label(getattr(world, key)) in html
            assert shown == (key in VISIBLE[kind][who]), (kind, key)


def test_restrict_is_the_same_rule_as_the_pages(world):
    user = world.users["bank_a_hz"]
    assert set(access.restrict(user, Enterprise.objects.all())) == {world.e_hz}
    assert set(access.restrict(user, PartnerLink.objects.all())) == {world.link_a_hz}
    assert set(access.restrict(user, Tenancy.objects.all())) == {world.t_hz}
    assert set(access.restrict(user, Park.objects.all(), access.CHANGE)) == set()


def test_bank_sees_only_its_own_organisation_and_branch_regulator_its_city(client, world):
    client.force_login(world.users["bank_a_hz"])
    assert client.get(reverse("portal:organisation_detail", args=[world.bank_a_hz.pk])).status_code == 200
    assert client.get(reverse("portal:organisation_detail", args=[world.bank_b_hz.pk])).status_code == 404
    assert client.get(reverse("portal:organisation_edit", args=[world.bank_a_hz.pk])).status_code == 403
    client.force_login(world.users["hz_branch"])
    for org in (world.bank_a_hz, world.bank_b_hz, world.op_hz, world.op_hz2, world.xihu_jxj, world.hz_branch):
        assert client.get(reverse("portal:organisation_detail", args=[org.pk])).status_code == 200
    for org in (world.wz_branch, world.bank_a_wz, world.op_wz, world.province, world.jxt):
        assert client.get(reverse("portal:organisation_detail", args=[org.pk])).status_code == 404
    visible = set(access.restrict(world.users["hz_branch"], Organisation.objects.all()))
    assert world.bank_a_wz not in visible and world.bank_b_hz in visible


def test_only_the_province_edits_institutions_and_organisations(client, world):
    for who in ALL_USERS:
        client.force_login(world.users[who])
        expected = 200 if who == "province" else 403
        assert client.get(reverse("banks:institution_edit", args=[world.inst_a.pk])).status_code == expected, who
        assert client.get(reverse("banks:institution_detail", args=[world.inst_a.pk])).status_code == 200
        org_status = client.get(reverse("portal:organisation_edit", args=[world.op_hz.pk])).status_code
        assert org_status in ((200,) if who == "province" else (403, 404)), who


def test_economy_bureau_edits_a_park_and_history_keeps_the_change(client, world):
    client.force_login(world.users["xihu_jxj"])
    url = reverse("parks:park_edit", args=[world.p_hz.pk])
    data = {
        "code": world.p_hz.code, "name": world.p_hz.name, "county": world.p_hz.county_id, "operator": world.op_hz.pk,
        "manager": "", "batch": 1, "star_rating": 4, "digital_status": "demo", "park_type": "manufacturing",
        "area_mu": "120.5", "status": "active",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    world.p_hz.refresh_from_db()
    assert world.p_hz.star_rating == 4 and world.p_hz.digital_status == "demo"
    last = world.p_hz.history.first()
    assert last.history_user == world.users["xihu_jxj"] and last.star_rating == 4
    history = client.get(reverse("parks:park_history", args=[world.p_hz.pk])).content.decode()
    assert "星级" in history and "四星" in history


def test_a_bank_cannot_edit_or_create_a_park(client, world):
    client.force_login(world.users["bank_a_hz"])
    assert client.get(reverse("parks:park_edit", args=[world.p_hz.pk])).status_code == 403
    assert client.post(reverse("parks:park_edit", args=[world.p_hz.pk]), {"star_rating": 5}).status_code == 403
    assert client.get(reverse("parks:park_add")).status_code == 403
    world.p_hz.refresh_from_db()
    assert world.p_hz.star_rating == 0


def test_a_county_bureau_cannot_create_a_park_in_another_county(client, world):
    client.force_login(world.users["xihu_jxj"])
    data = {"code": "330110099", "name": "越界园区", "county": world.p_hz2.county_id, "batch": 2, "star_rating": 0,
            "digital_status": "none", "park_type": "service", "status": "active"}
    response = client.post(reverse("parks:park_add"), data)
    assert response.status_code == 200
    assert not Park.objects.filter(code="330110099").exists()


def test_park_operator_edits_only_its_own_tenants(client, world):
    client.force_login(world.users["op_hz"])
    ok = client.post(reverse("parks:tenancy_edit", args=[world.t_hz.pk]), {"entered_on": "2019-01-01", "left_on": "2020-03-31"})
    assert ok.status_code == 302
    world.t_hz.refresh_from_db()
    assert str(world.t_hz.left_on) == "2020-03-31"
    assert client.post(reverse("parks:tenancy_edit", args=[world.t_wz.pk]), {"entered_on": "2019-01-01", "left_on": "2020-03-31"}).status_code == 404
    world.t_wz.refresh_from_db()
    assert world.t_wz.left_on is None
    # registering a tenant in someone else's park is refused
    response = client.post(reverse("parks:tenancy_add"), {
        "park": world.p_wz.pk, "uscc": "91350100M000100Y43", "enterprise_name": "外园企业", "industry": "C", "entered_on": "2020-01-01"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Tenancy.objects.filter(park=world.p_wz, enterprise__uscc="91350100M000100Y43").exists()


def test_park_operator_registers_a_new_tenant_by_its_credit_code(client, world):
    client.force_login(world.users["op_hz"])
    response = client.post(reverse("parks:tenancy_add"), {
        "park": world.p_hz.pk, "uscc": " 91350100m000100y43 ", "enterprise_name": "新入园企业有限公司", "industry": "C",
        "entered_on": "2020-01-01"})
    assert response.status_code == 302
    tenancy = Tenancy.objects.get(park=world.p_hz, enterprise__uscc="91350100M000100Y43")
    assert tenancy.enterprise.entity_type == "enterprise"


def test_other_roles_cannot_register_tenants(client, world):
    for who in ("province", "hz_branch", "xihu_jxj", "bank_a_hz"):
        client.force_login(world.users[who])
        assert client.get(reverse("parks:tenancy_add")).status_code == 403, who


def test_a_bank_declares_and_edits_only_its_own_links(client, world):
    client.force_login(world.users["bank_a_hz"])
    response = client.post(reverse("parks:partnerlink_add"), {
        "park": world.p_hz2.code, "role": "partner", "sub_branch": "甲银行余杭支行", "since": "2020-01-01"})
    assert response.status_code == 302
    link = PartnerLink.objects.get(park=world.p_hz2, branch=world.bank_a_hz)
    assert link.history.first().history_user == world.users["bank_a_hz"]
    assert client.get(reverse("parks:partnerlink_edit", args=[world.link_b_hz.pk])).status_code == 404
    for who in ("op_hz", "hz_branch", "xihu_jxj"):
        client.force_login(world.users[who])
        assert client.get(reverse("parks:partnerlink_add")).status_code == 403, who
        assert client.get(reverse("parks:partnerlink_edit", args=[world.link_a_hz.pk])).status_code == 403, who


def test_anonymous_users_are_sent_to_login(client, world):
    for url in (reverse("parks:park_list"), reverse("parks:park_detail", args=[world.p_hz.pk]), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_user_without_an_organisation_sees_nothing(world):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody", organisation=None, role="")
    assert not access.restrict(nobody, Park.objects.all()).exists()
    assert not access.restrict(nobody, Institution.objects.all()).exists()


def test_the_province_creates_and_edits_an_institution_and_others_cannot(client, world):
    data = {"name": "浙江泰隆商业银行股份有限公司", "short_name": "泰隆银行", "type": "city_commercial", "is_active": "on"}
    client.force_login(world.users["bank_a_hz"])
    assert client.post(reverse("banks:institution_add"), data).status_code == 403
    assert not Institution.objects.filter(short_name="泰隆银行").exists()
    client.force_login(world.users["province"])
    assert client.post(reverse("banks:institution_add"), data).status_code == 302
    inst = Institution.objects.get(short_name="泰隆银行")
    response = client.post(reverse("banks:institution_edit", args=[inst.pk]), {**data, "short_name": world.inst_a.short_name})
    assert response.status_code == 200 and response.context["form"].errors["short_name"]
    inst.refresh_from_db()
    assert inst.short_name == "泰隆银行" and inst.history.first().history_user == world.users["province"]
