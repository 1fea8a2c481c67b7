"""Target engine: the stored results equal values computed here by hand from the seeded filings,
for fixed, relative (another indicator; the same indicator at an earlier period ± margin) and
per-institution targets, 含宁波 and 不含宁波; not-applicable targets keep their reason; a rebuild
is idempotent and follows edits of a target."""
from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from reports.filings.models import Period
from reports.targets.catalogue import TARGET_SETS, target_sets_load
from reports.targets.engine import target_results_rebuild
from reports.targets.models import Target, TargetResult, TargetSet
from tests.target_scenario import CODES, T4, t4_value

Q2, Q4 = D("0.01"), D("0.0001")


def pct(a, b) -> D:
    return (D(a) * 100 / D(b)).quantize(Q2, ROUND_HALF_UP)


def result(code: str, scope: str, period: str = "2020Q3") -> TargetResult:
    return TargetResult.objects.get(target__code=code, period__code=period, scope_code=scope)


def sums(key: str, code: str, keys=("a_hz", "b_hz", "a_wz", "nb")) -> D:
    return sum((t4_value(k, key, code) for k in keys), D(0))


EXCL = ("a_hz", "b_hz", "a_wz")


# --- the tests ----------------------------------------------------------------------------------

def test_the_four_sets_are_loaded_with_the_default_and_not_applicable_reasons(db):
    assert list(TargetSet.objects.order_by("order").values_list("code", flat=True)) == ["ZJ2020", "JY2022", "ZH2022", "SX2024"]
    assert TargetSet.objects.get(is_default=True).code == "ZJ2020"
    assert Target.objects.count() == sum(len(s["targets"]) for s in TARGET_SETS)
    for t in Target.objects.filter(applicable=False):
        assert t.not_applicable_reason, t.code
    assert set(Target.objects.filter(applicable=False).values_list("target_set__code", flat=True)) == {"ZJ2020", "JY2022", "ZH2022", "SX2024"}
    zj = {t.code: t for t in Target.objects.filter(target_set__code="ZJ2020")}
    assert zj["ZJ2020-06"].ningbo == "excl" and zj["ZJ2020-02"].ningbo == "incl"  # 辖内 loans vs the plan's park counts
    assert target_sets_load() == Target.objects.count()  # loading again changes nothing


def test_relative_target_inclusive_growth_at_least_all_loan_growth_both_sides(scenario):
    for side, keys in (("excl", EXCL), ("incl", tuple(T4))):
        inc_now, inc_base = sums("inclusive_loan_balance", "2020Q3", keys), sums("inclusive_loan_balance", "2019Q4", keys)
        all_now, all_base = sums("all_loan_balance", "2020Q3", keys), sums("all_loan_balance", "2019Q4", keys)
        inc_growth, all_growth = pct(inc_now - inc_base, inc_base), pct(all_now - all_base, all_base)
        r = result("ZJ2020-07", f"330000:{side}")
        assert (r.actual, r.threshold) == (inc_growth, all_growth)
        assert r.gap == inc_growth - all_growth and r.status == "met"
        assert r.is_official == (side == "excl")
    assert result("ZJ2020-07", "330000:excl").actual == D("12.65")  # 4300 / 34000
    assert result("ZJ2020-07", "330000:excl").threshold == D("8.95")  # 17000 / 190000


def weighted_cost(code: str, keys) -> D:
    num = sum(D(T4[k]["inclusive_financing_cost"][CODES.index(code)]) * t4_value(k, "inclusive_loan_balance", code) for k in keys)
    return (num / sums("inclusive_loan_balance", code, keys)).quantize(Q4)


def test_relative_target_cost_down_half_a_point_on_the_previous_year_end(scenario):
    excl = result("ZJ2020-08", "330000:excl")
    now, base = weighted_cost("2020Q3", EXCL), weighted_cost("2019Q4", EXCL)
    assert (now, base) == (D("5.4256"), D("5.9176"))
    assert excl.actual == now and excl.threshold == base - D("0.5")
    assert excl.status == "unmet" and excl.gap == (base - D("0.5")) - now == D("-0.0080")
    assert "上年末（2019Q4）" in excl.basis and "− 0.5" in excl.basis
    assert excl.quarters_left == 1 and excl.pace == D("0.0080")  # due 2020-12-31: one quarter left
    incl = result("ZJ2020-08", "330000:incl")  # Ningbo's cheap loans bring the province under the line
    assert incl.actual == weighted_cost("2020Q3", tuple(T4)) == D("5.2164")
    assert incl.threshold == weighted_cost("2019Q4", tuple(T4)) - D("0.5") == D("5.3227")
    assert incl.status == "met" and not incl.is_official


def test_amount_targets_in_yi_yuan_and_wan_hu_with_and_without_ningbo(scenario):
    excl = result("ZJ2020-06", "330000:excl")
    increase = sums("inclusive_loan_balance", "2020Q3", EXCL) - sums("inclusive_loan_balance", "2019Q4", EXCL)
    assert excl.actual == (increase / 10000).quantize(Q4) == D("0.4300")
    assert excl.threshold == D("3500") and excl.status == "unmet" and excl.gap == D("0.4300") - 3500
    assert excl.pace == 3500 - D("0.4300")
    incl = result("ZJ2020-06", "330000:incl")
    assert incl.actual == ((increase + 3000) / 10000).quantize(Q4)
    renew = result("ZJ2020-10", "330000:excl")
    assert renew.actual == (sums("sme_renewal_count", "2020Q3", EXCL) / 10000).quantize(Q4) and renew.threshold == 25
    share = result("ZJ2020-14", "330000:incl")
    assert share.actual == pct(sums("sme_credit_loan_balance", "2020Q3"), sums("sme_loan_balance", "2020Q3"))


def test_park_targets_by_star_group_and_city_with_and_without_ningbo(scenario):
    # 4–5 star: 杭州 四星 3/4 credited, 宁波 五星 2/2
    assert result("ZJ2020-02", "star:45:incl").actual == pct(5, 6) == D("83.33")
    assert result("ZJ2020-02", "star:45:excl").actual == pct(3, 4) == D("75.00")
    assert result("ZJ2020-02", "330100").actual == D("75.00") and result("ZJ2020-02", "330200").actual == D("100.00")
    assert not TargetResult.objects.filter(target__code="ZJ2020-02", scope_code="330300").exists()  # Wenzhou has no such park
    three = result("ZJ2020-03", "star:3:incl")  # 余杭 三星: 1 of 2 tenants credited
    assert (three.actual, three.threshold, three.status, three.gap) == (D("50.00"), D("60"), "unmet", D("-10"))
    assert three.quarters_left == 1 and three.pace == D("10")
    assert result("ZJ2020-04", "star:other:incl").actual == D("0.00")
    # 分类建档全覆盖: parks whose ledger covers every tenant (余杭 filed 1 of 2)
    assert result("ZJ2020-01", "330000:incl").actual == pct(3, 4)
    assert result("ZJ2020-01", "330000:excl").actual == pct(2, 3)
    # 伙伴银行3–5家: only the Ningbo park has three partners
    assert result("ZJ2020-05", "330000:incl").actual == D("25.00") and result("ZJ2020-05", "330000:excl").actual == D("0.00")


def test_per_institution_and_per_type_targets(scenario):
    a_hz = f"org:{scenario.bank_a_hz.pk}"
    count = result("JY2022-02", a_hz)  # 有余额户数 2900 < 3000 at the year-end
    assert (count.actual, count.threshold, count.status) == (D("2900"), D("3000"), "unmet")
    npl = result("JY2022-04", a_hz)  # 1000/23000 = 4.35% > 1000/110000 = 0.91% + 3
    assert (npl.actual, npl.threshold, npl.status) == (pct(1000, 23000), pct(1000, 110000) + 3, "unmet")
    assert result("JY2022-04", f"org:{scenario.bank_nb.pk}").status == "met"
    rate = result("JY2022-03", f"org:{scenario.bank_b_hz.pk}")  # 6.0 now vs 5.9 a year before
    assert (rate.actual, rate.threshold, rate.status) == (D("6.0000"), D("5.9000"), "unmet")
    # 陕西: city commercial, rural and village banks only
    sx = TargetResult.objects.filter(target__code="SX2024-01", period__code="2020Q3")
    assert list(sx.values_list("scope_code", flat=True)) == [f"org:{scenario.bank_nb.pk}"]
    by_type = result("SX2024-02", "type:city_commercial:incl")  # 2020Q2 has no summary
    assert by_type.status == "no_data" and "对比值" in by_type.note
    # 镇海 (measured on Ningbo): 续贷户数 ≥ the same quarter last year × 1.1
    zh = result("ZH2022-04", "330200")
    assert (zh.actual, zh.threshold, zh.status) == (D("1150"), D("1100.0000"), "met")


def test_not_applicable_and_no_data(scenario):
    na = result("ZJ2020-16", "-")
    assert na.status == "na" and "未采集" in na.note
    assert result("ZJ2020-15", "330000:excl").status == "no_data"  # no 2019Q3 ledgers to compare with
    no_base = result("ZJ2020-08", "330000:excl", period="2019Q3")  # no 2018 year-end 附表4 in this scenario
    assert no_base.status == "no_data" and no_base.actual is not None and no_base.note == "对比值暂无数据"


def test_rebuild_is_idempotent_and_follows_edits(scenario):
    period = Period.objects.get(code="2020Q3")
    before = list(TargetResult.objects.filter(period=period).order_by("pk").values_list("target__code", "scope_code", "actual", "status"))
    assert target_results_rebuild(period_id=period.pk) == scenario.counts["2020Q3"] == len(before)
    after = list(TargetResult.objects.filter(period=period).order_by("pk").values_list("target__code", "scope_code", "actual", "status"))
    assert after == before
    Target.objects.filter(code="ZJ2020-03").update(threshold_value=45)  # as a regulator would in the admin
    target_results_rebuild(period_id=period.pk)
    assert result("ZJ2020-03", "star:3:incl").status == "met"


def test_only_the_province_regulator_edits_targets_in_the_admin(world, rf):
    from django.contrib.admin.sites import site
    from django.contrib.auth.models import Permission

    model_admin = site._registry[Target]
    perms = Permission.objects.filter(content_type__app_label="reports", codename__endswith="target")
    for key in ("province", "hz_branch"):
        user = world.users[key]
        user.is_staff = True
        user.save()
        user.user_permissions.set(perms)
    for key, allowed in (("province", True), ("hz_branch", False)):
        request = rf.get("/admin/")
        request.user = type(world.users[key]).objects.get(pk=world.users[key].pk)
        assert model_admin.has_change_permission(request) is allowed
        assert model_admin.has_add_permission(request) is allowed
