"""factory_boy factories for every registry model. Regions come from the real fixture."""
import datetime as dt
import itertools

import factory

from banks.choices import InstitutionType
from banks.models import Institution
from parks.choices import Batch, Industry, LinkStatus, ParkType, PartnerRole
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.choices import ROLE_FOR_KIND, OrgKind
from portal.models import Organisation, Region, User
from portal.uscc import ALPHABET, uscc_make

PASSWORD = "Test@pass2026"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


_uscc_counter = itertools.count(1)


def next_uscc(county_code: str = "330106", prefix: str = "91") -> str:
    n = next(_uscc_counter)
    body = ""
    for _ in range(9):
        n, r = divmod(n, len(ALPHABET))
        body = ALPHABET[r] + body
    return uscc_make(f"{prefix}{county_code}{body}")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"测试银行{n}股份有限公司")
    short_name = factory.Sequence(lambda n: f"测试银行{n}")
    type = InstitutionType.JOINT_STOCK


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = OrgKind.PARK_OPERATOR
    region = factory.LazyFunction(lambda: region("330106"))


def province_regulator(**kw) -> Organisation:
    return OrganisationFactory(kind=OrgKind.PROVINCE_REGULATOR, region=region("330000"), **kw)


def branch_regulator(city: str = "330100", **kw) -> Organisation:
    return OrganisationFactory(kind=OrgKind.BRANCH_REGULATOR, region=region(city), **kw)


def economy_bureau(region_code: str = "330100", **kw) -> Organisation:
    return OrganisationFactory(kind=OrgKind.ECONOMY_BUREAU, region=region(region_code), **kw)


def bank_branch(city: str = "330100", institution: Institution | None = None, **kw) -> Organisation:
    return OrganisationFactory(
        kind=OrgKind.BANK_BRANCH, region=region(city), institution=institution or InstitutionFactory(), **kw
    )


def park_operator(county: str = "330106", **kw) -> Organisation:
    return OrganisationFactory(kind=OrgKind.PARK_OPERATOR, region=region(county), **kw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = factory.LazyAttribute(lambda o: ROLE_FOR_KIND[o.organisation.kind] if o.organisation else "")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Park

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试小微企业园{n}")
    county = factory.LazyFunction(lambda: region("330106"))
    operator = factory.LazyAttribute(lambda o: park_operator(o.county.code))
    batch = Batch.FIRST
    park_type = ParkType.MANUFACTURING


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(next_uscc)
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    industry = Industry.C


class TenancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenancy

    park = factory.SubFactory(ParkFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    entered_on = dt.date(2019, 1, 1)


class PartnerLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerLink

    park = factory.SubFactory(ParkFactory)
    branch = factory.LazyAttribute(lambda o: bank_branch(o.park.county.city_code))
    role = PartnerRole.PARTNER
    sub_branch = "测试支行"
    since = dt.date(2019, 7, 1)
    status = LinkStatus.CONFIRMED


# --- xlsx helpers (reports.xlsx tests) --------------------------------------------------------------

def xlsx_bytes(wb) -> bytes:
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_fill_grid(data: bytes, rows: list[dict], *, first_row: int = 5, key_row: int = 4) -> bytes:
    """Fill a portal template/export (official layout, hidden key row 4) the way a person would with
    Excel: the existing data rows are removed and ``rows`` (column key -> cell value) written from row 5."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    columns = {ws.cell(key_row, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(key_row, c).value}
    if ws.max_row >= first_row:
        ws.delete_rows(first_row, ws.max_row - first_row + 1)
    for i, row in enumerate(rows):
        for key, value in row.items():
            ws.cell(first_row + i, columns[key], value)
    return xlsx_bytes(wb)


def xlsx_t4_rows(data: bytes) -> dict:
    """column key -> Excel row of a T4 template/export (keys sit in the hidden column A)."""
    import io

    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value and r > 3}


def xlsx_fill_t4(data: bytes, values: dict, narrative: dict | None = None, *, value_column: int = 4) -> bytes:
    """Type T4 values into the 本季末 column (column D) and the narrative into 推进情况."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value}
    for key, value in values.items():
        ws.cell(rows[key], value_column, value)
    if narrative is not None:
        sheet = wb["推进情况"]
        labels = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
        for label, text in narrative.items():
            sheet.cell(labels[label], 2, text)
    return xlsx_bytes(wb)


def xlsx_plain(headers: list, rows: list[list], *, above: list[list] | None = None) -> bytes:
    """A workbook as someone might build it by hand: optional rows above the header, the header
    row of labels, then the data rows."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in above or []:
        ws.append(row)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    return xlsx_bytes(wb)


def t1_cells(uscc: str, **overrides) -> dict:
    """A valid 附表1 row as a person types it (labels, 是/否, numbers)."""
    row = {
        "enterprise_name": "杭州测试科技有限公司", "uscc": uscc, "entity_type": "企业", "industry": "制造业",
        "employees": 50, "revenue": 3000, "total_assets": 2000, "size": "小型", "tech_type": "是",
        "operating_status": "良好", "credit_status": "一般", "has_demand": "是", "demand_amount": 200.5,
        "demand_purpose": "流动资金", "lending_bank_count": 2, "main_bank": "甲银行", "credit_amount": 500,
        "loan_balance": 300, "credit_loan_balance": 100, "medium_long_term_balance": 50, "renewal_balance": 20,
        "is_first_loan": "否", "loan_rate": 4.35, "financing_cost": 5.1, "insured": "是", "insured_amount": 80,
        "demand_status": "部分满足", "unmet_reason": "银行服务原因", "unmet_detail": "抵押物不足", "solution": "推荐信用贷款产品",
    }
    row.update(overrides)
    return row


def t1_stored(uscc: str, **overrides) -> dict:
    """The canonical values ``t1_cells(uscc)`` is stored as."""
    from decimal import Decimal as D

    row = {
        "enterprise_name": "杭州测试科技有限公司", "uscc": uscc, "entity_type": "enterprise", "industry": "C",
        "employees": 50, "revenue": D("3000.00"), "total_assets": D("2000.00"), "size": "small", "tech_type": True,
        "operating_status": "good", "credit_status": "fair", "has_demand": True, "demand_amount": D("200.50"),
        "demand_purpose": "working_capital", "lending_bank_count": 2, "main_bank": "甲银行", "credit_amount": D("500.00"),
        "loan_balance": D("300.00"), "credit_loan_balance": D("100.00"), "medium_long_term_balance": D("50.00"),
        "renewal_balance": D("20.00"), "is_first_loan": False, "loan_rate": D("4.3500"), "financing_cost": D("5.1000"),
        "insured": True, "insured_amount": D("80.00"), "demand_status": "partial", "unmet_reason": "bank",
        "unmet_detail": "抵押物不足", "solution": "推荐信用贷款产品",
    }
    row.update(overrides)
    return row


def t5_cells(park_code: str, park_name: str, **overrides) -> dict:
    row = {
        "park_code": park_code, "park_name": park_name, "role": "主办行", "sub_branch": "西湖支行", "contact_name": "张经理",
        "contact_phone": "0571-87654321", "since": dt.date(2019, 7, 1), "agreement_signed": "是", "plaque": "是",
        "service_point": "否", "reported_to_regulator": "是", "services": "规划、招商", "operator_credit_amount": 1000,
        "ent_credit_count": 12, "ent_credit_amount": 800.25, "ent_loan_balance": 600, "remarks": "按季走访",
    }
    row.update(overrides)
    return row


def t5_stored(park_code: str, park_name: str, **overrides) -> dict:
    from decimal import Decimal as D

    row = {
        "park_code": park_code, "park_name": park_name, "role": "lead", "sub_branch": "西湖支行", "contact_name": "张经理",
        "contact_phone": "0571-87654321", "since": dt.date(2019, 7, 1), "agreement_signed": True, "plaque": True,
        "service_point": False, "reported_to_regulator": True, "services": "规划、招商", "operator_credit_amount": D("1000.00"),
        "ent_credit_count": 12, "ent_credit_amount": D("800.25"), "ent_loan_balance": D("600.00"), "remarks": "按季走访",
    }
    row.update(overrides)
    return row


def t4_cells(**overrides) -> dict:
    """Consistent 附表4 values of a bank (sections 一 and 二)."""
    row = {
        "parks_served": 5, "partner_parks": 3, "lead_parks": 1, "service_points": 2, "operator_loan_count": 2,
        "operator_loan_balance": 1000, "ent_credit_count": 100, "ent_credit_amount": 5000, "ent_loan_count": 80,
        "ent_loan_balance": 4000, "ent_inclusive_count": 60, "ent_inclusive_balance": 2000, "ent_credit_loan_balance": 800,
        "ent_mlt_balance": 1000, "ent_renewal_count": 10, "ent_renewal_balance": 300, "ent_first_loan_count": 5,
        "ent_plant_equipment_balance": 500, "ent_npl_balance": 40, "ent_new_loan_rate": 4.8,
        "all_loan_balance": 100000, "sme_loan_balance": 40000, "inclusive_loan_balance": 20000, "inclusive_loan_count": 3000,
        "sme_credit_loan_balance": 5000, "sme_renewal_balance": 2000, "sme_renewal_count": 200,
        "inclusive_renewal_balance": 1000, "inclusive_first_loan_count": 300, "inclusive_new_loan_rate": 5.2,
        "inclusive_financing_cost": 5.6, "all_npl_balance": 1000, "inclusive_npl_balance": 300,
        "enterprise_loan_balance": 60000, "private_enterprise_loan_balance": 30000, "manufacturing_mlt_balance": 8000.5,
    }
    row.update(overrides)
    return row


def t4_narrative(**overrides) -> dict:
    """A 附表4 推进情况 with every section written (an empty one is a warning: reports.filings.quality)."""
    text = {"partner_bank_progress": "本季新增伙伴园区1个", "classification_progress": "建档覆盖率稳步提升",
            "experience": "整园授信", "cases": "某园区企业获信用贷款", "difficulties": "抵押物不足", "suggestions": "加大风险补偿"}
    text.update(overrides)
    return text
