"""``manage.py seed_demo``: counts, valid codes, determinism, demo logins, partner links and the
demo filings (附表1/2/4/5 of 2019Q2–2020Q4 and the 2018Q4 附表4 baseline)."""
from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.urls import reverse

from banks.choices import InstitutionType
from banks.models import Institution
from parks.choices import Batch, DigitalStatus, EntityType, ParkType, PartnerRole
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE, OrgKind, RegionLevel, Role
from portal.models import Organisation, Region, User
from portal.uscc import uscc_is_valid
from reports.demo.calibration import NOW, PERIOD_CODES
from reports.demo.catalogue import DEMO_PASSWORD
from reports.demo.park_plan import plan_parks
from reports.demo.reset import demo_reset
from reports.filings import selectors
from reports.filings.choices import FilingStatus
from reports.filings.models import Filing, Period, T1Row, T2Summary, T4Record, T5Row
from reports.filings.quality import quality_count
from reports.schedules import T1, T4, T5
from reports.schedules.t2 import AMOUNT_KEYS, COUNT_KEYS, HIDDEN_SUMS, t2_compute
from reports.schedules.t4 import INSURER_NARRATIVE_LABELS
from reports.workflow.inbox import review_inbox

SCALE, SEED = 0.02, 7
SKIP_MESSAGE = "演示数据已存在，跳过（使用 --reset 重新生成）。"


@pytest.fixture(scope="module")
def shared_demo(django_db_setup, django_db_blocker):
    """One demo for the read-only tests of this module (seeding takes seconds); removed afterwards."""
    with django_db_blocker.unblock():
        output = seed()
    yield output
    with django_db_blocker.unblock():
        demo_reset(stdout=None)


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
        "filings": list(Filing.objects.order_by("schedule", "period__code", "park__code", "branch__name").values_list(
            "schedule", "period__code", "park__code", "branch__name", "status", "created_at", "updated_at",
            "submitted_at", "approved_at", "days_late", "row_count", "warning_count",
        )),
        "t1": list(T1Row.objects.order_by("filing__period__code", "filing__park__code", "row_no").values_list(
            "filing__period__code", "filing__park__code", "row_no", *[c.key for c in T1.columns], *[c.key for c in T1.computed],
        )),
        "t4": list(T4Record.objects.order_by("filing__period__code", "filing__branch__name").values_list(
            "filing__period__code", "filing__branch__name", *[c.key for c in T4.columns],
        )),
        "t5": list(T5Row.objects.order_by("filing__period__code", "filing__branch__name", "row_no").values_list(
            "filing__period__code", "filing__branch__name", "row_no", *[c.key for c in T5.columns],
        )),
    }


@pytest.mark.django_db
def test_counts_per_city(shared_demo):
    output = shared_demo
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
def test_enterprises_have_valid_unique_usccs(shared_demo):
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
def test_demo_logins(shared_demo):
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
def test_partner_links(shared_demo):
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


def _active_parks() -> list[Park]:
    return list(Park.objects.filter(status="active").select_related("county"))


def _raw(values: dict[str, Any]) -> dict[str, str]:
    """A stored T1 row as a person would type it (labels, 是/否, plain numbers)."""
    return {c.key: c.display(values.get(c.key)) for c in T1.columns}


@pytest.mark.django_db
def test_filings_exist_for_every_period_and_some_are_missing(shared_demo):
    output = shared_demo
    assert "附表1：" in output and "附表4：" in output
    periods = {p.code: p for p in Period.objects.all()}
    assert set(PERIOD_CODES) | {"2018Q4"} == set(periods)
    active = _active_parks()
    first_batch = [p for p in active if p.batch == Batch.FIRST]
    t1 = Counter(Filing.objects.filter(schedule="T1").values_list("period__code", flat=True))
    for code in PERIOD_CODES:
        assert t1[code] >= 0.75 * len(first_batch), code
        assert not Filing.objects.filter(period__code=code).exclude(version=1).exists()
    assert t1["2020Q4"] >= 0.9 * len(active)
    assert t1["2020Q4"] > t1["2019Q2"]
    assert not Filing.objects.filter(schedule="T1", period__code="2018Q4").exists()
    assert not Filing.objects.filter(schedule="T1", park__status="building").exists()
    # some parks miss a quarter they should have filed
    filed = set(Filing.objects.filter(schedule="T1").values_list("park_id", "period__code"))
    missing = [(p.pk, code) for p in first_batch for code in PERIOD_CODES if (p.pk, code) not in filed]
    assert 0 < len(missing) < 0.2 * len(first_batch) * len(PERIOD_CODES)
    # one current version per subject and period; every T1 has its T2
    assert Filing.objects.filter(is_current=True).count() == Filing.objects.count()
    assert T2Summary.objects.count() == sum(t1.values())
    assert not Filing.objects.filter(schedule="T1", t2__isnull=True).exists()
    # T4 for the baseline and every period, T5 once links exist
    t4 = Counter(Filing.objects.filter(schedule="T4").values_list("period__code", flat=True))
    assert all(t4[code] > 0 for code in periods)
    assert Filing.objects.filter(schedule="T5").exists()
    assert not Filing.objects.filter(schedule="T5", period__code__in=["2018Q4", "2019Q2"]).exists()


@pytest.mark.django_db
def test_t1_rows_pass_every_error_rule(shared_demo):
    filings = list(Filing.objects.filter(schedule="T1").select_related("period", "park").order_by("period__code", "park__code"))
    sample = filings[::3]
    assert sample
    checked = 0
    for filing in sample:
        ctx = selectors.filing_context(filing=filing)
        rows = selectors.filing_row_values(filing=filing)
        assert len(rows) == filing.row_count > 0
        assert [r["row_no"] for r in rows] == list(range(1, len(rows) + 1))
        tenants = set(selectors.park_tenants_at(park_id=filing.park_id, on=filing.period.end)
                      .values_list("enterprise__uscc", flat=True))
        assert {r["uscc"] for r in rows} <= tenants and len({r["uscc"] for r in rows}) == len(rows)
        warnings = 0
        for r in rows:
            issues = T1.check_row(dict(r), ctx, row=r["row_no"])
            assert not [i for i in issues if i.is_error], (filing, r["uscc"], issues)
            assert {i.code for i in issues} <= {"loan_above_credit"}, issues
            warnings += len(issues)
            computed = T1.compute(dict(r))
            assert all(r[k] == v for k, v in computed.items()), (r, computed)
            assert 3 <= r["employees"] <= 300 and 50 <= r["revenue"] <= 8000
            if r["loan_rate"] is not None:
                assert Decimal("3.8") <= r["loan_rate"] <= Decimal("7.5")
                assert r["financing_cost"] is None or r["financing_cost"] >= r["loan_rate"]
            if r["credit_amount"]:
                assert r["main_bank"] in ctx.institution_names and 1 <= r["lending_bank_count"] <= 5
            checked += 1
        # and one warning per tenant at period end missing from the ledger (held against the register),
        # and the quality warnings against history planted on 2020Q4 (``reports.demo.quality``)
        missing = tenants - {r["uscc"] for r in rows}
        assert warnings + len(missing) + quality_count(filing.issues) == filing.warning_count == len(filing.issues)
        assert {i["value"] for i in filing.issues if i["code"] == "tenant_missing"} == missing
        assert not list(T1.set_rules[0](rows, ctx))
    assert checked > 300
    # the whole row set, typed back as text, goes through the upload path without an error
    for filing in sample[:3] + sample[-3:]:
        rows = selectors.filing_row_values(filing=filing)
        parsed, issues = T1.validate([_raw(r) for r in rows], selectors.filing_context(filing=filing))
        assert not [i for i in issues if i.is_error], issues
        assert [p["uscc"] for p in parsed] == [r["uscc"] for r in rows]
        assert all(p["credit_amount"] == r["credit_amount"] and p["category"] == r["category"] for p, r in zip(parsed, rows))


@pytest.mark.django_db
def test_t1_values_are_plausible_and_trend_upwards(shared_demo):
    rows = list(T1Row.objects.values(
        "filing__period__code", "uscc", "credit_amount", "loan_balance", "has_demand", "demand_status", "unmet_reason",
        "unmet_detail", "solution", "lending_bank_count", "is_first_loan", "renewal_balance", "credit_loan_balance", "insured",
    ))
    n = len(rows)
    credited = [r for r in rows if r["credit_amount"] > 0]
    assert 0.4 < len(credited) / n < 0.85
    mid = [r for r in credited if 10 <= r["credit_amount"] < 500]
    assert len(mid) > 0.6 * len(credited)
    assert sum(r["loan_balance"] > r["credit_amount"] for r in credited) < 0.05 * len(credited)
    demand = [r for r in rows if r["has_demand"]]
    assert 0.08 < len(demand) / n < 0.25
    assert set(r["demand_status"] for r in demand) == {"met", "partial", "unmet"}
    assert all(r["unmet_reason"] and r["unmet_detail"] and r["solution"] for r in demand if r["demand_status"] != "met")
    assert 0 < sum(r["lending_bank_count"] > 3 for r in rows) < 0.08 * n
    for key in ("is_first_loan", "insured"):
        assert 0 < sum(bool(r[key]) for r in rows) < 0.3 * n, key
    assert sum(r["renewal_balance"] > 0 for r in rows) > 0 and sum(r["credit_loan_balance"] > 0 for r in rows) > 0
    # credit coverage and filing coverage rise over time
    by_period = {code: T2Summary.objects.filter(period__code=code) for code in ("2019Q2", "2020Q4")}
    cover = {code: qs.aggregate(c=Sum("credited_count"), f=Sum("filed_count"), e=Sum("enterprises_total")) for code, qs in by_period.items()}
    first, last = cover["2019Q2"], cover["2020Q4"]
    assert 0.35 < first["c"] / first["e"] < 0.6 < last["c"] / last["e"] < 0.8
    assert first["f"] / first["e"] < 0.85 < 0.95 < last["f"] / last["e"]
    # an enterprise keeps a similar credit line from quarter to quarter
    lines: dict[str, list[Decimal]] = {}
    for r in sorted(credited, key=lambda r: r["filing__period__code"]):
        lines.setdefault(r["uscc"], []).append(r["credit_amount"])
    steady = [v for v in lines.values() if len(v) > 1]
    assert steady and sum(max(v) <= 2 * min(v) for v in steady) > 0.9 * len(steady)


@pytest.mark.django_db
def test_every_t2_equals_its_recomputation(shared_demo):
    summaries = T2Summary.objects.select_related("filing__period", "park")
    assert summaries.exists()
    for t2 in summaries:
        filing, park = t2.filing, t2.park
        assert (t2.park_id, t2.period_id, t2.county_id, t2.star_rating, t2.batch) == (
            filing.park_id, filing.period_id, park.county_id, park.star_rating, park.batch)
        expected = t2_compute(
            rows=selectors.filing_row_values(filing=filing),
            enterprises_total=selectors.park_tenants_at(park_id=park.pk, on=filing.period.end).count(),
            partner_bank_count=selectors.park_partner_count_at(park_id=park.pk, on=filing.period.end),
            star_rating=park.star_rating,
        )
        for key in (*COUNT_KEYS, *AMOUNT_KEYS, "filing_coverage", "credit_coverage", "weighted_loan_rate",
                    "weighted_financing_cost", "coverage_target", "coverage_met"):
            assert getattr(t2, key) == expected[key], (key, filing)
        for key in HIDDEN_SUMS:
            assert abs(getattr(t2, key) - expected[key]) < Decimal("0.001"), key


@pytest.mark.django_db
def test_t4_and_t5_follow_the_rules_and_the_register(shared_demo):
    t4_filings = Filing.objects.filter(schedule="T4").select_related("period", "branch__institution")
    banks = insurers = 0
    for filing in t4_filings:
        ctx = selectors.filing_context(filing=filing)
        values = selectors.filing_row_values(filing=filing)[0]
        issues = T4.check_row(dict(values), ctx)
        assert not issues, (filing, issues)
        if ctx.is_insurer:
            insurers += 1
            assert values["parks_served"] is None and values["all_loan_balance"] is None
            assert values["insured_enterprises"] is not None
            assert not Filing.objects.filter(schedule="T5", branch=filing.branch).exists()
            continue
        banks += 1
        assert values["insured_parks"] is None
        assert values["sme_loan_balance"] < values["all_loan_balance"]
        assert Decimal(0) < values["inclusive_new_loan_rate"] <= 36
        links = selectors.branch_partner_parks_at(branch_id=filing.branch_id, on=filing.period.end)
        if filing.period.is_baseline:
            assert values["partner_parks"] == 0
            continue
        assert values["partner_parks"] == len(links)
        assert values["lead_parks"] == sum(1 for link in links.values() if link["role"] == PartnerRole.LEAD)
        assert values["parks_served"] >= values["partner_parks"]
        t5 = selectors.filing_current(schedule="T5", period=filing.period, branch=filing.branch)
        assert (t5 is not None) == bool(links)
    assert banks and insurers

    t5_filings = Filing.objects.filter(schedule="T5").select_related("period", "branch__institution")
    assert t5_filings.exists()
    phones = re.compile(r"1[3-9]\d{9}|0\d{2,3}-\d{7,8}")
    for filing in t5_filings:
        ctx = selectors.filing_context(filing=filing)
        rows = selectors.filing_row_values(filing=filing)
        assert [r["park_code"] for r in rows] == sorted(ctx.partner_parks)
        assert filing.row_count == len(rows)
        warnings = 0
        for r in rows:
            issues = T5.check_row(dict(r), ctx)
            assert not [i for i in issues if i.is_error], issues
            warnings += len(issues)
            link = ctx.partner_parks[r["park_code"]]
            assert (r["role"], r["sub_branch"], r["since"]) == (link["role"], link["sub_branch"], link["since"])
            assert phones.fullmatch(r["contact_phone"]) and r["contact_name"]
            assert set(filter(None, r["services"].split("、"))) <= {"规划", "建设", "招商", "运营"}
        assert not list(T5.set_rules[0](rows, ctx))  # no missing link, no duplicate, Σ within T4
        assert warnings == filing.warning_count
    reported = T5Row.objects.filter(reported_to_regulator=True).count()
    assert reported > 0.9 * T5Row.objects.count()


@pytest.mark.django_db
def test_statuses_and_dates(shared_demo):
    filings = list(Filing.objects.select_related("period"))
    statuses = Counter(f.status for f in filings)
    assert statuses[FilingStatus.APPROVED] > 0.8 * len(filings)
    assert statuses[FilingStatus.DRAFT] > 0
    last = Counter(f.status for f in filings if f.period.code == "2020Q4")
    assert len(last) >= 3 and last[FilingStatus.APPROVED] < sum(last.values())
    past = [f for f in filings if f.period.code not in ("2020Q4",)]
    assert all(f.status in (FilingStatus.APPROVED, FilingStatus.DRAFT) for f in past)
    late = [f for f in filings if f.days_late]
    assert 0 < len(late) < 0.2 * len(filings)
    for f in filings:
        assert f.created_at <= f.updated_at <= NOW
        if f.status == FilingStatus.DRAFT:
            assert f.submitted_at is None and f.approved_at is None and f.days_late == 0
            continue
        assert f.created_at <= f.submitted_at <= f.updated_at
        submitted_on = f.submitted_at.astimezone(NOW.tzinfo).date()
        if f.period.is_baseline:  # the 2018 year-end figures were filed with 2019Q2, on time
            assert f.days_late == 0 and submitted_on <= Period.objects.get(code="2019Q2").filer_due
            continue
        assert f.days_late == max(0, (submitted_on - f.period.filer_due).days)
        assert f.period.end < submitted_on
        if f.status == FilingStatus.APPROVED:
            assert f.submitted_at < f.approved_at == f.updated_at
        else:
            assert f.approved_at is None
    # the demo logins see their own organisation's filings as theirs
    park_user = User.objects.get(username="park")
    assert Filing.objects.filter(park__operator=park_user.organisation, created_by=park_user).exists()




@pytest.mark.django_db
def test_completeness_of_a_seeded_period_equals_an_independent_count(shared_demo):
    from reports.summaries.completeness import completeness_by_city

    period = Period.objects.get(code="2020Q4")
    today = dt.date(2021, 1, 22)
    expected: dict[str, Counter] = {}
    current = {f.park_id: f for f in Filing.objects.filter(period=period, schedule="T1", is_current=True)}
    for park in Park.objects.filter(status="active").select_related("county"):
        c = expected.setdefault(park.county.city_code, Counter())
        c["expected"] += 1
        f = current.get(park.pk)
        state = {"approved": "approved", "submitted": "awaiting", "confirmed": "awaiting", "returned": "returned"}.get(f.status if f else "", "not_filed")
        c[state] += 1
        late = (f.days_late > 0) if f and state != "not_filed" else today > period.filer_due
        c["late"] += late
    linked = {link.branch_id for link in PartnerLink.objects.filter(status="confirmed", since__lte=period.end).exclude(until__lt=period.end)}
    filed = set(Filing.objects.filter(period=period, schedule__in=("T4", "T5"), is_current=True).values_list("branch_id", flat=True))
    for branch in Organisation.objects.filter(pk__in=linked | filed).select_related("region"):
        c = expected.setdefault(branch.region.code, Counter())
        c["expected"] += 1
        package = Filing.objects.filter(period=period, branch=branch, schedule__in=("T4", "T5"), is_current=True).order_by("schedule").first()
        state = {"approved": "approved", "submitted": "awaiting", "confirmed": "awaiting", "returned": "returned"}.get(package.status if package else "", "not_filed")
        c[state] += 1
        c["late"] += (package.days_late > 0) if package and state != "not_filed" else today > period.filer_due
    rows = completeness_by_city(period=period, today=today)
    assert sum(r.expected for r in rows) > 0
    for row in rows:
        want = expected.get(row.city.code, Counter())
        assert row.expected == want["expected"], row.city.name
        for key in ("not_filed", "late", "awaiting", "returned", "approved"):
            assert row.counts[key] == want[key], (row.city.name, key)


@pytest.mark.django_db
def test_seeded_filings_have_a_timeline_matching_their_status(shared_demo):
    from reports.workflow.models import FilingTransition

    approved = Filing.objects.filter(status="approved", schedule="T1", park__partner_links__role="lead").first()
    steps = list(FilingTransition.objects.filter(filing=approved).values_list("action", "at"))
    assert [a for a, _ in steps] == ["submit", "confirm", "approve"]
    assert steps[0][1] == approved.submitted_at and steps[-1][1] == approved.approved_at
    returned = Filing.objects.filter(status="returned").first()
    assert FilingTransition.objects.get(filing=returned, action="return").comment
    assert not FilingTransition.objects.filter(filing__submitted_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_2020q4_province_dashboard_compares_like_for_like_and_lists_the_parks_failing_zj2020_05(shared_demo, client):
    """Issue 11 on the demo: 2020Q4 is still in review (fewer banks approved than at the 2019
    year-end), so ZJ2020-06 is the increase of the banks approved in both periods — recomputed here
    filer by filer — shown with its coverage; and the parks outside 3–5 partner banks are the
    parks failing ZJ2020-05 (the register's confirmed links in force at period end)."""
    from decimal import ROUND_HALF_UP

    from django.urls import reverse

    def approved_t4(code: str) -> dict[int, T4Record]:
        latest: dict[int, T4Record] = {}
        for filing in (Filing.objects.filter(schedule="T4", period__code=code, status=FilingStatus.APPROVED)
                       .exclude(branch__region__code=NINGBO_CODE).select_related("t4").order_by("version")):
            latest[filing.branch_id] = filing.t4
        return latest

    now, base = approved_t4("2020Q4"), approved_t4("2019Q4")
    both = set(now) & set(base)
    assert 0 < len(both) <= len(now) < len(base)  # 2020Q4 is half reviewed
    key = "inclusive_loan_balance"
    pairs = [(getattr(now[b], key), getattr(base[b], key)) for b in both]
    increase = sum(a - b for a, b in pairs if a is not None and b is not None)
    whole_sets = sum(getattr(r, key) or 0 for r in now.values()) - sum(getattr(r, key) or 0 for r in base.values())
    assert increase > 0 > whole_sets  # the unlike-for-like difference reads as a fall
    client.force_login(User.objects.get(username="province"))
    page = client.get(reverse("dashboards:province"), {"period": "2020Q4", "ningbo": "excl"})
    row = {r["code"]: r for r in page.context["targets"].rows}["ZJ2020-06"]
    assert row["actual"] == (increase / 10000).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    assert f"{len(both)} / {len(now)} 家机构可比" in row["note"] and f"上年末已审核 {len(base)} 家" in row["note"]
    assert f"{len(both)} / {len(now)} 家机构可比" in page.content.decode()
    # 伙伴银行不在3–5家 (含宁波, as ZJ2020-05 counts parks)
    end = Period.objects.get(code="2020Q4").end
    active = list(Park.objects.filter(status="active", county__province_code=ZHEJIANG_CODE).values_list("pk", "code"))
    links = Counter(PartnerLink.objects.filter(status="confirmed", since__lte=end).filter(Q(until__isnull=True) | Q(until__gte=end))
                    .values_list("park_id", flat=True))
    failing = {code for pk, code in active if not 3 <= links[pk] <= 5}
    page = client.get(reverse("dashboards:province"), {"period": "2020Q4", "ningbo": "incl"})
    listed = {r["code"] for r in page.context["partners"].rows if r["issue"] in ("伙伴银行不足3家", "伙伴银行超过5家")}
    assert failing and listed == failing
    share = {r["code"]: r for r in page.context["targets"].rows}["ZJ2020-05"]["actual"]
    assert share == (Decimal(len(active) - len(failing)) * 100 / len(active)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.mark.django_db
def test_the_insurer_demo_login_sees_only_insurer_work(shared_demo, client):
    bank_only = ("转报", "主办行", "附表5")
    insurer_heading = INSURER_NARRATIVE_LABELS["partner_bank_progress"]
    user = User.objects.get(username="insurer")
    client.force_login(user)
    home = client.get(reverse("home"))
    texts = [t["text"] for t in home.context["todo"]] + list(home.context["duties"])
    assert home.context["todo"] and not [t for t in texts if any(word in t for word in bank_only)], texts
    assert "担任主办行" not in home.content.decode()
    t4 = Filing.objects.filter(branch=user.organisation, schedule="T4", is_current=True).order_by("-period__year", "-period__quarter").first()
    text = client.get(t4.get_absolute_url()).content.decode()
    assert insurer_heading in text and "伙伴银行建设情况" not in text
    assert 'value="T5"' not in client.get(reverse("reports:filing_new")).content.decode()
    assert client.get(reverse("reports:forward_list")).status_code == 403


# --- issue 16 on the demo: quality warnings against history planted on 2020Q4 (reports.demo.quality) ---

def _quality_filings(code: str) -> list[Filing]:
    return [f for f in Filing.objects.filter(period__code="2020Q4", is_current=True).select_related("period", "park", "branch")
            if any(i["code"] == code for i in f.issues)]


def _codes(filing: Filing) -> Counter:
    return Counter(i["code"] for i in filing.issues)


@pytest.mark.django_db
def test_2020q4_carries_the_planted_warnings_against_history_each_on_a_filing_in_review(shared_demo):
    assert "2020Q4 历史比对预警" in shared_demo and "企业贷款余额变动 2" in shared_demo
    stored = Counter(i["code"] for issues in Filing.objects.filter(period__code="2020Q4", is_current=True).values_list("issues", flat=True)
                     for i in issues)
    # planted only: the narrative texts differ from quarter to quarter, the ledgers keep their balances
    assert (stored["history_loan_jump"], stored["history_credit_jump"], stored["history_credited_drop"], stored["history_coverage_drop"],
            stored["narrative_empty"], stored["narrative_repeated"]) == (2, 0, 1, 1, 1, 2)
    assert stored["history_inclusive_fall"] >= 2 and stored["history_rate_outlier"] >= 1  # planted, and what the real rules find
    # every filing with such a warning that was submitted carries its filer's explanation
    for f in Filing.objects.filter(period__code="2020Q4", is_current=True).exclude(status=FilingStatus.DRAFT):
        assert not quality_count(f.issues) or f.explanation, f
    # the planted worlds are not approved: the roll-ups (approved versions) are untouched
    for code in ("history_loan_jump", "history_credited_drop", "narrative_empty", "narrative_repeated"):
        assert [f.status != FilingStatus.APPROVED for f in _quality_filings(code)] == [True], code


@pytest.mark.django_db
def test_the_planted_loan_jump_is_70_percent_below_the_previous_approved_balance(shared_demo):
    [filing] = _quality_filings("history_loan_jump")
    previous = selectors.filing_previous_approved(filing=filing)
    assert previous.period.code == "2020Q3"
    before = dict(T1Row.objects.filter(filing=previous).values_list("uscc", "loan_balance"))
    now = {r.uscc: r for r in T1Row.objects.filter(filing=filing)}
    jumps = [i for i in filing.issues if i["code"] == "history_loan_jump"]
    assert len(jumps) == 2
    for issue in jumps:
        row = T1Row.objects.get(filing=filing, row_no=issue["row"])
        assert row.loan_balance == (before[row.uscc] * Decimal("0.3")).quantize(Decimal("0.01")) > 0
        assert "−70.00%" in issue["message"] and "2020Q3" in issue["message"]
        assert max(row.credit_loan_balance, row.medium_long_term_balance, row.renewal_balance) <= row.loan_balance
    assert sum(1 for u, r in now.items() if before.get(u) and r.loan_balance < before[u] / 2) == 2  # no other jump


@pytest.mark.django_db
def test_the_planted_credited_drop_leaves_credited_tenants_out_of_the_ledger(shared_demo):
    [filing] = _quality_filings("history_credited_drop")
    assert _quality_filings("history_coverage_drop") == [filing]
    previous = selectors.filing_previous_approved(filing=filing)
    old, new = T2Summary.objects.get(filing=previous), T2Summary.objects.get(filing=filing)
    assert new.credited_count < old.credited_count * Decimal("0.8")  # more than 20 % fewer
    assert old.credit_coverage - new.credit_coverage > 10  # more than 10 points
    tenants = set(selectors.park_tenants_at(park_id=filing.park_id, on=filing.period.end).values_list("enterprise__uscc", flat=True))
    missing = tenants - set(T1Row.objects.filter(filing=filing).values_list("uscc", flat=True))
    credited_before = set(T1Row.objects.filter(filing=previous, credit_amount__gt=0).values_list("uscc", flat=True))
    assert _codes(filing)["tenant_missing"] == len(missing) and missing & credited_before


@pytest.mark.django_db
def test_the_planted_narratives_one_section_empty_two_repeated_and_none_else(shared_demo):
    [empty] = _quality_filings("narrative_empty")
    assert T4Record.objects.get(filing=empty).cases == "" and "典型案例" in [i for i in empty.issues if i["code"] == "narrative_empty"][0]["message"]
    [repeated] = _quality_filings("narrative_repeated")
    now, before = T4Record.objects.get(filing=repeated), T4Record.objects.get(filing=selectors.filing_previous_approved(filing=repeated))
    same = [k for k in ("partner_bank_progress", "classification_progress", "experience", "cases", "difficulties", "suggestions")
            if getattr(now, k) == getattr(before, k)]
    assert same == ["experience", "difficulties"]
    # every other 附表4 of a quarter (banks and insurers) has six sections, each different from its previous quarter's
    texts: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    for r in T4Record.objects.filter(filing__period__is_baseline=False, filing__is_current=True).exclude(filing__in=(empty, repeated)).order_by(
            "filing__period__year", "filing__period__quarter").select_related("filing__period"):
        sections = (r.partner_bank_progress, r.classification_progress, r.experience, r.cases, r.difficulties, r.suggestions)
        assert all(sections), r.filing
        for _, previous in texts.get(r.filing.branch_id, [])[-1:]:
            assert all(a != b for a, b in zip(sections, previous)), r.filing
        texts.setdefault(r.filing.branch_id, []).append((r.filing.period.code, sections))
    insurer = T4Record.objects.filter(filing__branch__institution__type="insurer", filing__period__code="2020Q4").first()
    assert "保险服务" in insurer.partner_bank_progress and "伙伴银行" not in insurer.partner_bank_progress


@pytest.mark.django_db
def test_every_stored_inclusive_fall_is_a_fall_below_the_approved_year_end_and_the_planted_outlier_tops_its_city(shared_demo):
    year_end = {}
    for f in Filing.objects.filter(schedule="T4", period__code="2019Q4", status=FilingStatus.APPROVED).select_related("t4").order_by("version"):
        year_end[f.branch_id] = f.t4
    fell = set()
    for f in Filing.objects.filter(schedule="T4", period__code="2020Q4", is_current=True).select_related("t4"):
        base = year_end.get(f.branch_id)
        if base and any(getattr(base, k) and getattr(f.t4, k) is not None and getattr(f.t4, k) < getattr(base, k)
                        for k in ("inclusive_loan_balance", "ent_inclusive_balance")):
            fell.add(f.pk)
    assert fell and {f.pk for f in _quality_filings("history_inclusive_fall")} == fell
    assert any(f.status != FilingStatus.APPROVED for f in _quality_filings("history_inclusive_fall"))
    tops = []
    for f in _quality_filings("history_rate_outlier"):
        city = Filing.objects.filter(schedule="T4", period__code="2020Q4", status=FilingStatus.APPROVED, branch__region=f.branch.region_id,
                                     t4__ent_new_loan_rate__isnull=False).exclude(branch=f.branch)
        rates = list(city.values_list("t4__ent_new_loan_rate", flat=True))
        if len(rates) >= 5 and f.t4.ent_new_loan_rate > max(rates):
            tops.append(f)
    assert any(f.status != FilingStatus.APPROVED for f in tops)  # the planted one (a natural one may top its city too)


@pytest.mark.django_db
def test_the_province_inbox_lists_the_filings_with_warnings_against_history_first(shared_demo):
    box = review_inbox(user=User.objects.get(username="province"))
    flagged = [e.quality_warnings > 0 for e in box.mine]
    assert flagged[0] and flagged == sorted(flagged, reverse=True)
    assert {e.pk for e in box.mine if e.quality_warnings} >= {f.pk for f in _quality_filings("narrative_empty") + _quality_filings("narrative_repeated")}
