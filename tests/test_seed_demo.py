"""``manage.py seed_demo``: counts, valid codes, determinism, demo logins and partner links."""
from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from banks.choices import InstitutionType
from banks.models import Institution
from parks.choices import Batch, DigitalStatus, EntityType, ParkType, PartnerRole
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE, OrgKind, RegionLevel, Role
from portal.demo import DEMO_PASSWORD, plan_parks
from portal.models import Organisation, Region, User
from portal.uscc import uscc_is_valid

SCALE, SEED = 0.02, 7
SKIP_MESSAGE = "演示数据已存在，跳过（使用 --reset 重新生成）。"


def seed(**options: Any) -> str:
    out = io.StringIO()
    call_command("seed_demo", **{"scale": SCALE, "seed": SEED, **options}, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    return {
        "parks": list(Park.objects.order_by("code").values_list(
            "code", "name", "county__code", "batch", "star_rating", "digital_status", "park_type", "area_mu",
            "status", "manager", "operator__name",
        )),
        "enterprises": list(Enterprise.objects.order_by("uscc").values_list("uscc", "name", "entity_type", "industry")),
        "tenancies": list(Tenancy.objects.order_by("enterprise__uscc").values_list(
            "park__code", "enterprise__uscc", "entered_on", "left_on",
        )),
        "links": list(PartnerLink.objects.order_by("park__code", "branch__name").values_list(
            "park__code", "branch__name", "role", "sub_branch", "since", "until",
        )),
        "organisations": list(Organisation.objects.order_by("name").values_list(
            "name", "kind", "region__code", "institution__short_name",
        )),
    }


@pytest.mark.django_db
def test_counts_per_city():
    output = seed()
    assert "演示数据已生成" in output and "Demo@2026pass" in output

    cities = Region.objects.filter(province_code=ZHEJIANG_CODE, level=RegionLevel.CITY)
    assert cities.count() == 11
    parks = Park.objects.select_related("county", "operator")
    per_city = Counter(park.county.city_code for park in parks)
    first_per_city = Counter(park.county.city_code for park in parks if park.batch == Batch.FIRST)
    for city in cities:
        assert per_city[city.code] >= 1, city.name
        assert first_per_city[city.code] >= 1, city.name
    assert 12 <= parks.count() <= 25
    assert first_per_city[NINGBO_CODE] == 2  # round(83 × 0.02)

    for park in parks:
        assert park.county.level == RegionLevel.COUNTY and park.county.province_code == ZHEJIANG_CODE
        assert re.fullmatch(rf"{park.county.code}\d{{3}}", park.code)
        assert park.name.startswith((park.county.name, park.county.name[:2])) and "小微企业园" in park.name
        assert park.operator.kind == OrgKind.PARK_OPERATOR and park.operator.region_id == park.county_id
        assert park.operator.name == f"{park.name}运营管理有限公司"
        assert 30 <= park.area_mu <= 400
        park.full_clean()

    orgs = Counter(Organisation.objects.values_list("kind", flat=True))
    assert orgs[OrgKind.PROVINCE_REGULATOR] == 1
    assert orgs[OrgKind.BRANCH_REGULATOR] == 11
    assert orgs[OrgKind.ECONOMY_BUREAU] == 1 + 11 + 90
    assert orgs[OrgKind.PARK_OPERATOR] == parks.count()
    assert Organisation.objects.get(name="宁波银保监局").separately_planned
    assert Organisation.objects.filter(name="温州银保监分局", region__code="330300").exists()
    assert Organisation.objects.filter(name="杭州市西湖区经信局", region__code="330106").exists()

    assert Institution.objects.count() >= 45
    assert set(Institution.objects.values_list("type", flat=True)) == set(InstitutionType.values)
    for branch in Organisation.objects.filter(kind=OrgKind.BANK_BRANCH).select_related("region"):
        assert branch.institution_id and branch.region.level == RegionLevel.CITY
        branch.full_clean()
    # national banks and insurers have a branch in every city
    for short in ("工商银行", "农业银行", "建设银行", "人保财险"):
        assert Organisation.objects.filter(kind=OrgKind.BANK_BRANCH, institution__short_name=short).count() == 11


@pytest.mark.django_db
def test_plan_matches_the_2020_list_at_full_scale():
    plans = plan_parks(scale=1.0, seed=2020)
    first = [p for p in plans if p.batch == Batch.FIRST]
    later = [p for p in plans if p.batch != Batch.FIRST]
    assert len(first) == 505 and sum(p.city_code == NINGBO_CODE for p in first) == 83
    assert len(later) == 272 and sum(p.city_code == NINGBO_CODE for p in later) == 33
    assert sum(p.digital_status == DigitalStatus.DEMO for p in plans) == 21
    pilots = [p for p in plans if p.digital_status == DigitalStatus.PILOT]
    assert len(pilots) == 31 and sum(p.city_code == NINGBO_CODE for p in pilots) == 4
    assert len({p.code for p in plans}) == len(plans) == len({p.name for p in plans})
    assert 0.7 <= sum(p.park_type == ParkType.MANUFACTURING for p in plans) / len(plans) <= 0.8
    stars_first = Counter(p.star_rating for p in first)
    assert stars_first[5] == 30 and stars_first[4] == 81  # 6 % and 16 % of 505
    assert all(p.star_rating <= 3 for p in later)
    per_city = Counter(p.city_code for p in plans)
    assert per_city["330100"] > per_city["330900"] and per_city["330300"] > per_city["331100"]


@pytest.mark.django_db
def test_enterprises_have_valid_unique_usccs():
    seed()
    enterprises = list(Enterprise.objects.all())
    assert len(enterprises) >= 35 * Park.objects.count()
    usccs = [e.uscc for e in enterprises]
    assert len(set(usccs)) == len(usccs)
    assert all(uscc_is_valid(code) for code in usccs)
    for enterprise in enterprises:
        assert enterprise.uscc[:2] == ("92" if enterprise.entity_type == EntityType.INDIVIDUAL else "91")
    assert 0 < sum(e.entity_type == EntityType.INDIVIDUAL for e in enterprises) < len(enterprises) * 0.2
    assert Counter(e.industry for e in enterprises).most_common(1)[0][0] == "C"
    for enterprise in enterprises[:50]:
        enterprise.full_clean()

    tenancies = Tenancy.objects.select_related("park__county", "enterprise")
    assert tenancies.count() == len(enterprises)
    assert not Enterprise.objects.annotate(n=Count("tenancies")).exclude(n=1).exists()
    for tenancy in tenancies:
        assert tenancy.enterprise.uscc[2:8] == tenancy.park.county.code
        assert dt.date(2012, 1, 1) <= tenancy.entered_on <= dt.date(2020, 6, 30)
        assert tenancy.left_on is None or tenancy.entered_on <= tenancy.left_on <= dt.date(2020, 6, 30)
    assert 0 < tenancies.filter(left_on__isnull=False).count() < tenancies.count() * 0.15


@pytest.mark.django_db
def test_same_seed_gives_same_data_and_another_seed_does_not():
    seed()
    first = snapshot()
    output = seed(reset=True)
    assert "演示数据已生成" in output
    assert snapshot() == first
    seed(reset=True, seed=SEED + 1)
    other = snapshot()
    assert other["enterprises"] != first["enterprises"]
    assert [p[:2] for p in other["parks"]] != [p[:2] for p in first["parks"]]


@pytest.mark.django_db
def test_demo_logins():
    seed()
    expected = {
        "province": (Role.PROVINCE_REGULATOR, OrgKind.PROVINCE_REGULATOR, "浙江银保监局"),
        "hz_branch": (Role.BRANCH_REGULATOR, OrgKind.BRANCH_REGULATOR, "杭州银保监分局"),
        "nb_branch": (Role.BRANCH_REGULATOR, OrgKind.BRANCH_REGULATOR, "宁波银保监局"),
        "jxt": (Role.ECONOMY_BUREAU, OrgKind.ECONOMY_BUREAU, "浙江省经济和信息化厅"),
        "county_jxj": (Role.ECONOMY_BUREAU, OrgKind.ECONOMY_BUREAU, None),
        "bank": (Role.BANK_FILER, OrgKind.BANK_BRANCH, None),
        "insurer": (Role.BANK_FILER, OrgKind.BANK_BRANCH, None),
        "park": (Role.PARK_OPERATOR, OrgKind.PARK_OPERATOR, None),
    }
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
    users = {u.username: u for u in User.objects.select_related("organisation__region", "organisation__institution")}
    for username, (role, kind, org_name) in expected.items():
        user = users[username]
        assert user.role == role and user.organisation.kind == kind, username
        assert user.check_password(DEMO_PASSWORD) and user.is_active and user.first_name
        if org_name:
            assert user.organisation.name == org_name
        user.full_clean()

    bank = users["bank"].organisation
    assert bank.institution.short_name == "工商银行" and bank.region.code == "330100"
    insurer = users["insurer"].organisation
    assert insurer.institution.short_name == "人保财险" and insurer.region.code == "330100"

    park = Park.objects.get(operator=users["park"].organisation)
    assert park.batch == Batch.FIRST and park.county.city_code == "330100"
    assert park.partner_links.get(role=PartnerRole.LEAD).branch == bank
    county_bureau = users["county_jxj"].organisation
    assert county_bureau.region == park.county and county_bureau.region.level == RegionLevel.COUNTY


@pytest.mark.django_db
def test_partner_links():
    seed()
    parks = list(Park.objects.select_related("county").annotate(
        n=Count("partner_links"), leads=Count("partner_links", filter=Q(partner_links__role=PartnerRole.LEAD)),
    ))
    typical = [p for p in parks if 3 <= p.n <= 5 and p.leads == 1]
    assert len(typical) >= 0.7 * len(parks)
    assert all(p.leads <= 1 for p in parks)
    links = PartnerLink.objects.select_related("park__county", "branch__region", "branch__institution")
    for link in links:
        assert link.branch.kind == OrgKind.BANK_BRANCH
        assert link.branch.institution.type != InstitutionType.INSURER
        assert link.branch.region.code == link.park.county.city_code
        assert dt.date(2019, 7, 1) <= link.since <= dt.date(2020, 6, 30)
        assert link.until is None or link.until >= link.since
        assert link.sub_branch.endswith("支行")
        link.full_clean()


@pytest.mark.django_db
def test_second_run_skips_without_reset():
    seed()
    before = snapshot()
    output = seed(seed=SEED + 1)
    assert SKIP_MESSAGE in output
    assert snapshot() == before


@pytest.mark.django_db
def test_refuses_to_mix_with_existing_registries():
    Institution.objects.create(name="某银行股份有限公司", short_name="某银行", type=InstitutionType.JOINT_STOCK)
    with pytest.raises(CommandError, match="--reset"):
        seed()


@pytest.mark.django_db
def test_reset_keeps_other_superusers():
    seed()
    root = User.objects.create_superuser("root", "root@example.com", "Root@pass2026", organisation=Organisation.objects.get(name="浙江银保监局"))
    User.objects.create_user("someone", password="Some@pass2026", organisation=Organisation.objects.get(name="杭州银保监分局"), role=Role.BRANCH_REGULATOR)
    seed(reset=True)
    root.refresh_from_db()
    assert root.is_superuser and root.organisation is None
    assert not User.objects.filter(username="someone").exists()
    assert User.objects.filter(username__in=["admin", "province", "park"]).count() == 3
