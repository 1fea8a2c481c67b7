"""Bad input on registry forms: a clear Chinese message on the field, nothing saved."""
import pytest
from django.urls import reverse

from parks.models import Enterprise, Park, PartnerLink, Tenancy
from tests import factories as f


def field_errors(response, field):
    form = response.context["form"]
    return form.errors.get(field, [])


def test_malformed_credit_code_is_refused_on_the_field(client, world):
    client.force_login(world.users["op_hz"])
    before = world.e_hz.uscc
    response = client.post(reverse("parks:enterprise_edit", args=[world.e_hz.pk]),
                           {"uscc": "91350100M000100Y44", "name": "改名", "entity_type": "enterprise", "industry": "C"})
    assert response.status_code == 200
    assert any("校验位错误" in e for e in field_errors(response, "uscc"))
    world.e_hz.refresh_from_db()
    assert world.e_hz.uscc == before and world.e_hz.name != "改名"


@pytest.mark.parametrize("bad, reason", [("9135", "应为18位"), ("91350100M000100I43", "不得包含字母 I"), ("9135A100M000100Y43", "第3–8位")])
def test_malformed_credit_code_on_a_new_tenant_saves_nothing(client, world, bad, reason):
    client.force_login(world.users["op_hz"])
    count = Enterprise.objects.count()
    response = client.post(reverse("parks:tenancy_add"), {
        "park": world.p_hz.pk, "uscc": bad, "enterprise_name": "坏代码企业", "industry": "C", "entered_on": "2020-01-01"})
    assert response.status_code == 200
    assert any(reason in e for e in field_errors(response, "uscc"))
    assert Enterprise.objects.count() == count


def test_full_width_and_lower_case_code_is_accepted_and_stored_canonically(client, world):
    client.force_login(world.users["op_hz"])
    response = client.post(reverse("parks:enterprise_edit", args=[world.e_hz.pk]),
                           {"uscc": "９１３５０１００ｍ０００１００ｙ４３", "name": "西湖甲企业有限公司", "entity_type": "enterprise", "industry": "C"})
    assert response.status_code == 302
    world.e_hz.refresh_from_db()
    assert world.e_hz.uscc == "91350100M000100Y43"


def test_duplicate_park_code_is_refused_on_the_field(client, world):
    client.force_login(world.users["hz_jxj"])
    data = {"code": world.p_hz.code, "name": "重复编码园区", "county": world.p_hz.county_id, "batch": 2, "star_rating": 0,
            "digital_status": "none", "park_type": "service", "status": "active"}
    response = client.post(reverse("parks:park_add"), data)
    assert response.status_code == 200
    assert "园区编码已存在。" in field_errors(response, "code")
    assert Park.objects.filter(code=world.p_hz.code).count() == 1


def test_a_park_outside_zhejiang_is_refused(client, world):
    client.force_login(world.users["jxt"])
    anhui = f.region("340102")
    data = {"code": "340102001", "name": "外省园区", "county": anhui.pk, "batch": 1, "star_rating": 0,
            "digital_status": "none", "park_type": "service", "status": "active"}
    response = client.post(reverse("parks:park_add"), data)
    assert response.status_code == 200 and field_errors(response, "county")
    assert not Park.objects.filter(code="340102001").exists()


def test_tenancy_ending_before_it_starts_is_refused_on_the_field(client, world):
    client.force_login(world.users["op_hz"])
    response = client.post(reverse("parks:tenancy_edit", args=[world.t_hz.pk]), {"entered_on": "2020-05-01", "left_on": "2020-04-30"})
    assert response.status_code == 200
    assert "退园日期不能早于入园日期。" in field_errors(response, "left_on")
    world.t_hz.refresh_from_db()
    assert world.t_hz.left_on is None and str(world.t_hz.entered_on) == "2019-01-01"
    count = Tenancy.objects.count()
    response = client.post(reverse("parks:tenancy_add"), {
        "park": world.p_hz.pk, "uscc": f.next_uscc(), "enterprise_name": "倒序企业", "industry": "C",
        "entered_on": "2020-05-01", "left_on": "2020-01-01"})
    assert "退园日期不能早于入园日期。" in field_errors(response, "left_on")
    assert Tenancy.objects.count() == count


def test_partner_link_to_a_park_in_another_province_is_refused(client, world):
    anhui_park = f.ParkFactory(code="340102001", name="合肥某园区", county=f.region("340102"))
    client.force_login(world.users["bank_a_hz"])
    response = client.post(reverse("parks:partnerlink_add"), {
        "park": anhui_park.code, "role": "partner", "sub_branch": "甲银行某支行", "since": "2020-01-01"})
    assert response.status_code == 200
    assert any("不在浙江省辖内" in e for e in field_errors(response, "park"))
    assert not PartnerLink.objects.filter(park=anhui_park).exists()


def test_partner_link_to_a_park_in_another_city_or_unknown_code_is_refused(client, world):
    client.force_login(world.users["bank_a_hz"])
    response = client.post(reverse("parks:partnerlink_add"), {"park": world.p_wz.code, "role": "partner", "sub_branch": "x", "since": "2020-01-01"})
    assert any("不在本机构所在地市" in e for e in field_errors(response, "park"))
    response = client.post(reverse("parks:partnerlink_add"), {"park": "999999999", "role": "partner", "sub_branch": "x", "since": "2020-01-01"})
    assert any("园区编码不存在" in e for e in field_errors(response, "park"))
    response = client.post(reverse("parks:partnerlink_add"), {"park": world.p_hz.code, "role": "partner", "sub_branch": "x", "since": "2020-01-01"})
    assert any("已有有效的伙伴关系" in e for e in field_errors(response, "park"))
    assert PartnerLink.objects.filter(branch=world.bank_a_hz).count() == 1


def test_partner_link_ending_before_it_starts_is_refused(client, world):
    client.force_login(world.users["bank_a_hz"])
    response = client.post(reverse("parks:partnerlink_edit", args=[world.link_a_hz.pk]), {
        "park": world.p_hz.code, "role": "lead", "sub_branch": "甲银行西湖支行", "since": "2020-01-01", "until": "2019-12-31"})
    assert "终止日期不能早于建立日期。" in field_errors(response, "until")
    world.link_a_hz.refresh_from_db()
    assert world.link_a_hz.until is None


# --- park area ------------------------------------------------------------------------------------

def test_a_negative_park_area_is_refused_by_the_model_and_the_database(world):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from parks import services

    with pytest.raises(ValidationError) as exc:
        services.park_update(actor=world.users["xihu_jxj"], park=world.p_hz, data={"area_mu": -5})
    assert "占地面积不能为负数。" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(world.p_hz).objects.filter(pk=world.p_hz.pk).update(area_mu=-1)


def test_a_negative_park_area_is_refused_over_the_api_naming_the_field(world):
    from tests.test_api_helpers import api

    client = api(world.users["hz_jxj"])
    body = {"code": "330106098", "name": "负面积园区", "county": "330106", "batch": 2, "park_type": "service", "area_mu": "-1"}
    r = client.post("/api/v1/parks/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert [e["field"] for e in r.json()["errors"]] == ["area_mu"] and "负数" in r.json()["errors"][0]["message"]
    assert not Park.objects.filter(code="330106098").exists()
    r = client.patch(f"/api/v1/parks/{world.p_hz.pk}/", {"area_mu": -0.01}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "area_mu"
    world.p_hz.refresh_from_db()
    assert world.p_hz.area_mu is None or world.p_hz.area_mu >= 0
    assert client.patch(f"/api/v1/parks/{world.p_hz.pk}/", {"area_mu": 0}, format="json").status_code == 200


def test_a_negative_park_area_is_refused_on_the_park_form(client, world):
    client.force_login(world.users["hz_jxj"])
    data = {"code": "330106097", "name": "负面积园区", "county": world.p_hz.county_id, "batch": 2, "star_rating": 0,
            "digital_status": "none", "park_type": "service", "status": "active", "area_mu": "-5"}
    response = client.post(reverse("parks:park_add"), data)
    assert response.status_code == 200
    assert any("负数" in e for e in field_errors(response, "area_mu"))
    assert not Park.objects.filter(code="330106097").exists()
