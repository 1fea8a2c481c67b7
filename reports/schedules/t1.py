"""附表1 分类建档基础台帐 — one row per enterprise, filed per park per quarter (浙银保监发〔2019〕164号 附表1)."""
from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, Iterable

from parks.choices import EntityType, Industry
from portal.uscc import uscc_error
from reports.schedules.base import (
    AMOUNT,
    BOOL,
    CHOICE,
    COUNT,
    INDUSTRY,
    RATE,
    TEXT,
    USCC,
    Column,
    Computed,
    Context,
    Issue,
    Schedule,
    error,
    nz,
    warning,
)
from reports.schedules.parsing import text_key
from reports.schedules.sizing import enterprise_size

SIZE_CHOICES = (("large", "大型"), ("medium", "中型"), ("small", "小型"), ("micro", "微型"))
SIZE_INPUT_CHOICES = SIZE_CHOICES[1:]
OPERATING = (("good", "良好"), ("fair", "一般"), ("difficult", "困难"), ("halted", "停产"))
CREDIT_STATUS = (("good", "良好"), ("fair", "一般"), ("poor", "较差"), ("none", "无信贷记录"))
PURPOSE = (("working_capital", "流动资金"), ("plant", "购置厂房"), ("equipment", "购置设备"), ("tech_upgrade", "技术改造"), ("other", "其他"))
DEMAND_STATUS = (("met", "已满足"), ("partial", "部分满足"), ("unmet", "未满足"))
UNMET_REASON = (("enterprise", "企业自身原因"), ("bank", "银行服务原因"), ("other", "其他原因"))
CREDIT_TIERS = (
    ("none", "无授信"), ("lt10", "10万元以下"), ("10_50", "10–50万元"), ("50_500", "50–500万元"),
    ("500_1000", "500–1000万元"), ("gt1000", "1000万元以上"),
)
SIZE_INPUTS = ("industry", "employees", "revenue", "total_assets")
CATEGORIES = (("A", "A 已获授信"), ("B", "B 有需求待满足"), ("C", "C 暂无需求"))

COLUMNS = (
    Column("enterprise_name", "企业名称", TEXT, required=True, max_length=100, width=28),
    Column("uscc", "统一社会信用代码", USCC, required=True, width=22),
    Column("entity_type", "主体类型", CHOICE, choices=tuple(EntityType.choices), help="空白时按代码判断：92开头为个体工商户"),
    Column("industry", "所属行业", INDUSTRY, required=True, choices=tuple(Industry.choices), width=20),
    Column("employees", "从业人员(人)", COUNT, required=True),
    Column("revenue", "上年营业收入", AMOUNT, required=True),
    Column("total_assets", "资产总额", AMOUNT),
    Column("size", "企业规模", CHOICE, choices=SIZE_INPUT_CHOICES, help="空白时按工信部联企业〔2011〕300号自动计算"),
    Column("tech_type", "是否科创型企业", BOOL, default=False),
    Column("operating_status", "经营情况", CHOICE, required=True, choices=OPERATING),
    Column("credit_status", "资信状况", CHOICE, required=True, choices=CREDIT_STATUS),
    Column("has_demand", "是否有融资需求", BOOL, required=True),
    Column("demand_amount", "融资需求金额", AMOUNT),
    Column("demand_purpose", "融资需求用途", CHOICE, choices=PURPOSE),
    Column("lending_bank_count", "授信银行家数", COUNT, required=True),
    Column("main_bank", "主要授信银行", TEXT, max_length=100, width=18),
    Column("credit_amount", "授信金额", AMOUNT),
    Column("loan_balance", "贷款余额", AMOUNT),
    Column("credit_loan_balance", "其中：信用贷款余额", AMOUNT),
    Column("medium_long_term_balance", "其中：中长期贷款余额", AMOUNT),
    Column("renewal_balance", "其中：无还本续贷余额", AMOUNT),
    Column("is_first_loan", "是否当年首贷户", BOOL, default=False),
    Column("loan_rate", "贷款加权平均利率(%)", RATE),
    Column("financing_cost", "综合融资成本(%)", RATE),
    Column("insured", "是否获得保险服务", BOOL, default=False),
    Column("insured_amount", "保险保额", AMOUNT),
    Column("demand_status", "融资需求满足情况", CHOICE, choices=DEMAND_STATUS),
    Column("unmet_reason", "未满足原因", CHOICE, choices=UNMET_REASON),
    Column("unmet_detail", "原因说明", TEXT, max_length=500, width=30),
    Column("solution", "解决措施及金融服务方案", TEXT, max_length=500, width=30),
)

COMPUTED = (
    Computed("size_computed", "企业规模（测算）", choices=SIZE_CHOICES),
    Computed("credit_tier", "授信规模", choices=CREDIT_TIERS),
    Computed("inclusive", "是否普惠型", kind=BOOL),
    Computed("category", "分类建档类别", choices=CATEGORIES),
    Computed("multi_bank", "是否垒小户", kind=BOOL),
)


def credit_tier(amount: Decimal | None) -> str:
    x = nz(amount)
    if x <= 0:
        return "none"
    if x < 10:
        return "lt10"
    if x < 50:
        return "10_50"
    if x < 500:
        return "50_500"
    if x <= 1000:
        return "500_1000"
    return "gt1000"


def multi_bank(*, entity_type: str, credit_amount: Any, lending_bank_count: int | None) -> bool:
    """垒小户 risk (浙银保监发〔2020〕15号 二(七), column ``multi_bank_count``): a 个体工商户 served by
    more than 2 banks, or any other enterprise with 0 < 单户授信 ≤ 1000万元 served by more than 3.
    THE rule: stored per row as ``T1Row.multi_bank``; 附表2 (Python and SQL) only count the flag."""
    banks = lending_bank_count or 0
    if entity_type == EntityType.INDIVIDUAL:
        return banks > 2
    return Decimal(0) < nz(credit_amount) <= 1000 and banks > 3


def compute(row: dict[str, Any]) -> dict[str, Any]:
    computed_size = None
    if row.get("industry"):
        computed_size = enterprise_size(industry=row["industry"], employees=row.get("employees"),
                                        revenue=row.get("revenue"), total_assets=row.get("total_assets"))
    size = row.get("size") or computed_size
    entity_type = row.get("entity_type") or ""
    credit = nz(row.get("credit_amount"))
    inclusive = (size in ("small", "micro") or entity_type == EntityType.INDIVIDUAL) and Decimal(0) < credit <= 1000
    if row.get("has_demand") and row.get("demand_status") != "met":
        category = "B"
    elif credit > 0:
        category = "A"
    else:
        category = "C"
    return {"size_computed": computed_size or "", "credit_tier": credit_tier(row.get("credit_amount")),
            "inclusive": bool(inclusive), "category": category,
            "multi_bank": multi_bank(entity_type=entity_type, credit_amount=row.get("credit_amount"),
                                     lending_bank_count=row.get("lending_bank_count"))}


def _uscc_rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    """统一社会信用代码 (and the entity type it implies)."""
    code = row.get("uscc")
    if code:
        reason = uscc_error(code)
        if reason:
            yield error("uscc", reason, "invalid_uscc")
        elif not row.get("entity_type"):
            row["entity_type"] = EntityType.INDIVIDUAL if code.startswith("92") else EntityType.ENTERPRISE


def _demand_rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    """融资需求."""
    has_demand = row.get("has_demand")
    demand = row.get("demand_amount")
    if has_demand is True:
        if nz(demand) <= 0:
            yield error("demand_amount", "有融资需求时融资需求金额必须大于0", "demand_amount_required", depends=("has_demand",))
        if not row.get("demand_purpose"):
            yield error("demand_purpose", "有融资需求时必须填写融资需求用途", "demand_purpose_required", depends=("has_demand",))
        if not row.get("demand_status"):
            yield error("demand_status", "有融资需求时必须填写融资需求满足情况", "demand_status_required", depends=("has_demand",))
    elif has_demand is False and nz(demand) > 0:
        yield error("demand_amount", "无融资需求时融资需求金额应为空或0", "demand_amount_without_demand", depends=("has_demand",))


def _credit_rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    """授信."""
    credit = nz(row.get("credit_amount"))
    banks = row.get("lending_bank_count")
    if banks is not None:
        if credit > 0 and banks < 1:
            yield error("lending_bank_count", "有授信时授信银行家数至少为1", "bank_count_zero", depends=("credit_amount",))
        if credit == 0 and banks != 0:
            yield error("lending_bank_count", "无授信时授信银行家数应为0", "bank_count_without_credit", depends=("credit_amount",))
    main_bank = row.get("main_bank")
    if credit > 0 and not main_bank:
        yield error("main_bank", "有授信时必须填写主要授信银行", "main_bank_required", depends=("credit_amount",))
    elif main_bank and ctx.institution_names and not _matches_institution(main_bank, ctx.institution_names):
        yield warning("main_bank", f"“{main_bank}”不是已登记的银行保险机构名称", "main_bank_unknown")


def _loan_rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    """贷款余额 and what it contains."""
    credit = nz(row.get("credit_amount"))
    loan = nz(row.get("loan_balance"))
    if loan > credit and row.get("loan_balance") is not None:
        yield warning("loan_balance", "贷款余额大于授信金额", "loan_above_credit", depends=("credit_amount",))
    for key, label in (("credit_loan_balance", "信用贷款余额"), ("medium_long_term_balance", "中长期贷款余额"),
                       ("renewal_balance", "无还本续贷余额")):
        if nz(row.get(key)) > loan:
            yield error(key, f"{label}不能大于贷款余额", f"{key}_above_loan", depends=("loan_balance",))
    if row.get("is_first_loan") and loan <= 0:
        yield error("is_first_loan", "当年首贷户必须有贷款余额", "first_loan_without_loan", depends=("loan_balance",))


def _rate_rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    """利率 and 综合融资成本."""
    loan = nz(row.get("loan_balance"))
    rate = row.get("loan_rate")
    if loan > 0 and rate is None:
        yield error("loan_rate", "有贷款余额时必须填写贷款加权平均利率", "loan_rate_required", depends=("loan_balance",))
    if rate is not None:
        if not (Decimal(0) < rate <= 36):
            yield error("loan_rate", "贷款加权平均利率应大于0且不超过36%", "loan_rate_range")
        elif rate > ctx.rate_warning_threshold:
            yield warning("loan_rate", f"贷款加权平均利率高于{ctx.rate_warning_threshold}%", "loan_rate_high")
    cost = row.get("financing_cost")
    if cost is not None and rate is not None and cost < rate:
        yield warning("financing_cost", "综合融资成本低于贷款利率", "cost_below_rate", depends=("loan_rate",))


def _insurance_rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    """保险."""
    if row.get("insured") and row.get("insured_amount") is None:
        yield error("insured_amount", "获得保险服务时必须填写保险保额", "insured_amount_required", depends=("insured",))


def _unmet_rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    """需求未满足."""
    status = row.get("demand_status")
    reason = row.get("unmet_reason")
    if status in ("partial", "unmet") and not reason:
        yield error("unmet_reason", "需求部分满足或未满足时必须填写未满足原因", "unmet_reason_required", depends=("demand_status",))
    if reason and not row.get("unmet_detail"):
        yield error("unmet_detail", "填写未满足原因时必须填写原因说明", "unmet_detail_required", depends=("unmet_reason",))
    if status == "unmet" and not row.get("solution"):
        yield warning("solution", "需求未满足但未填写解决措施及金融服务方案", "solution_missing", depends=("demand_status",))


def _size_rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    """企业规模 (工信部联企业〔2011〕300号)."""
    given = row.get("size")
    if row.get("industry"):
        computed_size = enterprise_size(industry=row["industry"], employees=row.get("employees"),
                                        revenue=row.get("revenue"), total_assets=row.get("total_assets"))
        labels = dict(SIZE_CHOICES)
        if given and computed_size and given != computed_size:
            yield warning("size", f"填报的企业规模“{labels[given]}”与测算结果“{labels[computed_size]}”不一致", "size_differs", depends=SIZE_INPUTS)
        if computed_size == "large" and not given:
            yield warning("size", "按工信部联企业〔2011〕300号测算为大型企业，不属于小微企业", "size_large", depends=SIZE_INPUTS)


def _rules(row: dict[str, Any], ctx: Context) -> Iterable[Issue]:
    """Every rule of one 附表1 row, in the order the columns are read."""
    for group in (_uscc_rules, _demand_rules, _credit_rules, _loan_rules, _rate_rules, _insurance_rules, _unmet_rules, _size_rules):
        yield from group(row, ctx)


_ZERO = Decimal(0)


def quiet_row(row: dict[str, Any], ctx: Context) -> bool:
    """True when ``_rules`` finds nothing in ``row``: the same conditions as one flat function,
    stopping at the first that would raise an issue (the usual row raises none: no generator per
    rule group, no ``nz`` per figure), and — as ``_uscc_rules`` does — an empty 主体类型 filled in
    from a valid code. A row that is not quiet goes through ``_rules`` for its issues.
    Proven equal to ``_rules`` (both ways) in tests/test_t1_quiet_rows.py: change them together."""
    get = row.get
    code = get("uscc")
    if code:
        if uscc_error(code):
            return False
        if not get("entity_type"):
            row["entity_type"] = EntityType.INDIVIDUAL if code.startswith("92") else EntityType.ENTERPRISE
    has_demand, demand = get("has_demand"), get("demand_amount")
    if has_demand is True:
        if demand is None or demand <= 0 or not get("demand_purpose") or not get("demand_status"):
            return False
    elif has_demand is False and demand is not None and demand > 0:
        return False
    credit_amount, banks, main_bank = get("credit_amount"), get("lending_bank_count"), get("main_bank")
    credit = _ZERO if credit_amount is None else credit_amount
    if banks is not None and ((credit > 0 and banks < 1) or (credit == 0 and banks != 0)):
        return False
    if credit > 0 and not main_bank:
        return False
    if main_bank and ctx.institution_names and not _matches_institution(main_bank, ctx.institution_names):
        return False
    loan_balance = get("loan_balance")
    loan = _ZERO if loan_balance is None else loan_balance
    if loan_balance is not None and loan > credit:
        return False
    for key in ("credit_loan_balance", "medium_long_term_balance", "renewal_balance"):
        part = get(key)
        if (_ZERO if part is None else part) > loan:
            return False
    if get("is_first_loan") and loan <= 0:
        return False
    rate, cost = get("loan_rate"), get("financing_cost")
    if rate is None:
        if loan > 0:
            return False
    elif not (0 < rate <= 36) or rate > ctx.rate_warning_threshold or (cost is not None and cost < rate):
        return False
    if get("insured") and get("insured_amount") is None:
        return False
    status, reason = get("demand_status"), get("unmet_reason")
    if (status in ("partial", "unmet") and not reason) or (reason and not get("unmet_detail")) or (status == "unmet" and not get("solution")):
        return False
    if row.get("industry"):
        given = get("size")
        computed_size = enterprise_size(industry=row["industry"], employees=get("employees"), revenue=get("revenue"),
                                        total_assets=get("total_assets"))
        if (given and computed_size and given != computed_size) or (computed_size == "large" and not given):
            return False
    return True


@functools.lru_cache(maxsize=4096)  # a few bank names, thousands of rows
def _matches_institution(name: str, names: frozenset[str]) -> bool:
    """Names are compared by their normalised key (full/half width, spaces, case); never stored so."""
    key = text_key(name)
    keys = _name_keys(names)
    return key in keys or any(n and (n in key or key in n) for n in keys)


@functools.lru_cache(maxsize=8)
def _name_keys(names: frozenset[str]) -> frozenset[str]:
    return frozenset(text_key(n) for n in names)


def _unique_uscc(rows: list[dict[str, Any]], ctx: Context) -> Iterable[Issue]:
    first_seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        code = row.get("uscc")
        if not code:
            continue
        if code in first_seen:
            yield Issue("error", "uscc", f"统一社会信用代码与第{first_seen[code]}行重复", "duplicate_uscc", row=i, value=code)
        else:
            first_seen[code] = i


def not_tenant_elsewhere(rows: list[dict[str, Any]], ctx: Context, *, first_row: int = 1) -> Iterable[Issue]:
    """Enterprises are shared, tenancies are not: a tenant of another park (at period end) cannot be
    put on this park's ledger, whatever the channel (grid, xlsx, REST)."""
    if ctx.tenant_elsewhere is None:
        return
    other = ctx.tenant_elsewhere([r["uscc"] for r in rows if r.get("uscc")])
    for i, row in enumerate(rows, start=first_row):
        code = row.get("uscc")
        if code in other:
            yield Issue("error", "uscc", f"该企业为“{other[code]}”的在园企业，不能列入本园区台帐；如已迁入本园区，请先由原园区登记退园",
                        "tenant_elsewhere", row=i, value=code)


def tenant_missing(name: str, code: str) -> Issue:
    return Issue("warning", "uscc", f"期末在园企业“{name}”（{code}）未列入附表1", "tenant_missing", value=code)


def held_against_register(rows: list[dict[str, Any]], ctx: Context, *, first_row: int = 1, missing: bool = True) -> Iterable[Issue]:
    """The ledger is held against the park register at period end (``Tenancy.objects.in_force``),
    as warnings that need an explanation, naming the enterprise: a row whose enterprise is not a
    tenant at period end (it left before, or entered after), and — with ``missing`` — every
    tenant at period end that has no row."""
    if ctx.register is None or ctx.period_end is None:
        return
    end = ctx.period_end
    codes = [r["uscc"] for r in rows if r.get("uscc")]
    register = ctx.register(codes)
    for i, row in enumerate(rows, start=first_row):
        stay = register.stays.get(row.get("uscc"))
        if stay is None:
            continue
        entered_on, left_on = stay
        name = row.get("enterprise_name") or row["uscc"]
        if left_on is not None and left_on < end:
            message, code = f"“{name}”已于{left_on:%Y-%m-%d}退园，报送期末（{end:%Y-%m-%d}）不是本园区在园企业", "tenant_left"
        else:
            message, code = f"“{name}”于{entered_on:%Y-%m-%d}入园，报送期末（{end:%Y-%m-%d}）尚不是本园区在园企业", "tenant_not_yet"
        yield Issue("warning", "enterprise_name", message, code, row=row.get("row_no") or i, value=name)
    if missing:
        listed = set(codes)
        for code, name in sorted(register.tenants.items(), key=lambda item: (item[1], item[0])):
            if code not in listed:
                yield tenant_missing(name, code)


T1 = Schedule(
    code="T1",
    number=1,
    title="分类建档基础台帐",
    columns=COLUMNS,
    computed=COMPUTED,
    natural_key="uscc",
    name_key="enterprise_name",
    row_rules=(_rules,),
    quiet_row=quiet_row,
    set_rules=(_unique_uscc, not_tenant_elsewhere, held_against_register),
    compute=compute,
    subject="park",
)
